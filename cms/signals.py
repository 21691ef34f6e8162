"""Signal receivers of the site, connected in ``CmsConfig.ready()``."""

from __future__ import annotations

from typing import Any

from cms.task_results import email_result_forget


def task_finished_forget_email(sender: Any, task_result: Any, **kwargs: Any) -> None:
    email_result_forget(task_result=task_result)
