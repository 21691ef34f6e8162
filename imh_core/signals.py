"""Signal receivers of the core app, connected in ``ImhCoreConfig.ready()``."""

from __future__ import annotations

from typing import Any

from imh_core.task_results import email_result_forget


def task_finished_forget_email(sender: Any, task_result: Any, **kwargs: Any) -> None:
    email_result_forget(task_result=task_result)
