"""Upkeep of the task queue itself, as tasks the scheduler queues (see ``cms.scheduler``)."""

from __future__ import annotations

from cms.task_recovery import tasks_recover
from cms.task_results import retention_days, task_results_prune
from cms.tasks_compat import task


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
