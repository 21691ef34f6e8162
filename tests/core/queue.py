"""Helpers for tests of the database task queue (django-tasks-db) inside the test process."""

from __future__ import annotations

import datetime

from django.test import override_settings
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
database_queue = override_settings(TASKS=DATABASE_TASKS)


def run_queue(*, limit: int = 50) -> int:
    """Run the queued tasks that are due, as the ``db_worker`` command would; how many ran.

    The worker's own loop closes "old" connections, which would end the test's transaction,
    so its claim-and-run steps are used directly.
    """
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while ran < limit:
        result = DBTaskResult.objects.ready().first()
        if result is None:
            break
        result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1
    return ran


def mark(
    result_id,
    *,
    status: str,
    started: datetime.datetime | None = None,
    finished: datetime.datetime | None = None,
) -> None:
    """Put a stored result in a state, as a worker (or the passing of time) would have."""
    DBTaskResult.objects.filter(pk=result_id).update(
        status=status,
        started_at=started,
        finished_at=finished,
        worker_ids=["gone"] if status != TaskResultStatus.READY else [],
    )


def ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)
