"""The task API whichever Django runs, and the tasks that look after the task queue itself.

Django 6 has ``django.tasks``; on Django 5.2 the ``django-tasks`` backport provides the same
API. Every app imports ``task`` (and the ``task_finished`` signal) from here, so none of them
needs to know which one is in use.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.utils import timezone

try:  # pragma: no cover - which branch runs depends on the Django version
    from django.tasks import task
    from django.tasks.signals import task_finished
except ImportError:  # pragma: no cover
    from django_tasks import task
    from django_tasks.signals import task_finished

from imh_core.task_recovery import tasks_recover
from imh_core.task_results import retention_days, task_results_prune

__all__ = [
    "enqueue_later",
    "task",
    "task_finished",
    "task_results_prune_task",
    "tasks_recover_task",
]

logger = logging.getLogger(__name__)


def enqueue_later(task_: Any, *args: Any, delay: datetime.timedelta, **kwargs: Any) -> Any:
    """Queue ``task_`` to run after ``delay``, or straight away on a backend that cannot wait
    (the immediate one used in tests and small installs); returns the task result."""
    if task_.get_backend().supports_defer:
        return task_.using(run_after=timezone.now() + delay).enqueue(*args, **kwargs)
    return task_.enqueue(*args, **kwargs)


# Upkeep of the queue, queued by the scheduler (see ``imh_core.scheduler``).


# Ahead of ordinary work: after a crash the queue may be long, and what this task recovers
# has waited longest already.
@task(priority=50)
def tasks_recover_task() -> dict[str, int]:
    """Fail (and where safe queue again) tasks lost with their worker; queue forgotten renders."""
    return tasks_recover().as_dict()


@task()
def task_results_prune_task() -> str:
    """Delete finished task results older than the retention period."""
    days = retention_days()
    if not task_results_prune(days=days):
        return "tasks are not stored in the database"
    return f"deleted finished task results older than {days} days"
