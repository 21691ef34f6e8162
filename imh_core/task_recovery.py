"""Recovering work whose task worker died: nothing may stay "running" or "waiting" for ever.

django-tasks-db marks a task running when a worker claims it and finished when the worker
records the outcome. A worker killed in between (out of memory, a deploy, a host restart)
leaves the task running for ever, and whatever waits on it (a certificate's PDF, an
inspection report) waiting for ever. The backend keeps no heartbeat, so a lost task looks
like a slow one; the lease tells them apart: a task still running ``IMH_TASK_LEASE_MINUTES``
(15 by default) after it started is presumed lost. Every few minutes the scheduler queues
``tasks_recover``, which:

1. marks each lost task failed, with a ``WorkerLost`` error that says what happened;
2. queues it again if an app lists it as recoverable (work that checks what is already
   done, so running it twice does no harm) and it has not been lost ``MAX_RECOVERIES`` times
   already (a task that kills its worker every time must not do so for ever);
3. as a safety net, queues the task of any record that has waited on one longer than the
   lease with no task queued or running for it (a certificate PDF or inspection report
   whose queue was down when it was issued, for instance), within the same limit.

Apps list their recoverable tasks through the ``IMH_RECOVERABLE_TASKS`` hook (see
``imh_core.hooks``); nothing else is ever run twice.

Emails are never queued again: a worker that died while delivering one may have handed it to
the mail server already, and a second copy of a sign-in or reset email is worse than an
operator seeing a failed one. The scheduled reminder and digest runs are not queued again
either: they catch up on their next run, each reminder still sent once.

A task that was merely slow is not harmed: if its worker finishes after all, it records the
real outcome over the ``WorkerLost`` failure.
"""

from __future__ import annotations

import datetime
import json
import logging
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from imh_core.conf import imh_setting
from imh_core.hooks import IMH_RECOVERABLE_TASKS, hook_results
from imh_core.task_results import database_backend_in_use

logger = logging.getLogger(__name__)

MAX_RECOVERIES = 3


@dataclass(frozen=True)
class Recoverable:
    """A task that may be run again after its worker died.

    ``task`` is the task's dotted path. Each such task checks what is already done first,
    and the database stops a second copy of anything it makes. ``outstanding``, for a task
    that makes something a record waits for (a PDF, say), is the dotted path of a function
    taking ``before`` (a datetime) and returning the ids (the task's one argument) of the
    records still waiting since before then.
    """

    task: str
    outstanding: str | None = None


def recoverable_tasks() -> dict[str, Recoverable]:
    """The tasks the installed apps (and the host site) say may run again, by dotted path."""
    found: dict[str, Recoverable] = {}
    for answer in hook_results(IMH_RECOVERABLE_TASKS):
        for recoverable in answer or ():
            found.setdefault(recoverable.task, recoverable)
    return found


class WorkerLost(Exception):
    """A task still marked running after the lease: its worker is presumed gone."""


@dataclass
class Recovery:
    """What one pass found and did, for the task log."""

    failed: list[str] = field(default_factory=list)
    requeued: list[str] = field(default_factory=list)
    abandoned: list[str] = field(default_factory=list)
    outstanding_requeued: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "failed": len(self.failed),
            "requeued": len(self.requeued),
            "abandoned": len(self.abandoned),
            "outstanding_requeued": len(self.outstanding_requeued),
        }


def task_lease() -> datetime.timedelta:
    minutes = imh_setting("IMH_TASK_LEASE_MINUTES")
    if not isinstance(minutes, int) or minutes < 1:
        raise ImproperlyConfigured(
            f"IMH_TASK_LEASE_MINUTES must be a whole number of minutes, 1 or more, not {minutes!r}."
        )
    return datetime.timedelta(minutes=minutes)


def tasks_recover(
    *, now: datetime.datetime | None = None, lease: datetime.timedelta | None = None
) -> Recovery:
    """Fail and (where safe) queue again the lost tasks, then queue any forgotten renders."""
    recovery = Recovery()
    if not database_backend_in_use():
        return recovery
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    lease = task_lease() if lease is None else lease
    stale = DBTaskResult.objects.running().filter(started_at__lt=now - lease)
    retry_safe = set(recoverable_tasks())
    # One task that cannot be recovered (arguments it no longer accepts, say) is logged and
    # left; the others still are.
    for result_id in list(stale.values_list("pk", flat=True)):
        try:
            _recover(
                result_id=result_id,
                now=now,
                lease=lease,
                retry_safe=retry_safe,
                recovery=recovery,
            )
        except Exception:
            logger.exception("Lost task %s could not be recovered", result_id)
    for recoverable in recoverable_tasks().values():
        if recoverable.outstanding is None:
            continue
        try:
            _requeue_outstanding(
                task_path=recoverable.task,
                outstanding=import_string(recoverable.outstanding),
                before=now - lease,
                recovery=recovery,
            )
        except Exception:
            logger.exception("Records waiting on %s could not be checked", recoverable.task)
    return recovery


def _recover(
    *,
    result_id: Any,
    now: datetime.datetime,
    lease: datetime.timedelta,
    retry_safe: set[str],
    recovery: Recovery,
) -> None:
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        result = DBTaskResult.objects.filter(pk=result_id, status=TaskResultStatus.RUNNING)
        result = result.first()
        if result is None:
            return  # finished, or another pass recovered it, since the list was made
        minutes = int((now - result.started_at).total_seconds() // 60)
        error = WorkerLost(
            f"Still marked as running {minutes} minutes after it started (the lease is "
            f"{int(lease.total_seconds() // 60)} minutes): its task worker is presumed to "
            f"have stopped (killed, out of memory or restarted) before it could finish."
        )
        # Only a row still running, as read, is changed: the worker may finish meanwhile.
        changed = DBTaskResult.objects.filter(
            pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
        ).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            return_value=None,
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback="".join(traceback.format_exception_only(error)),
        )
        if not changed:
            return
        name = f"{result.task_path} {result.pk}"
        recovery.failed.append(name)
        if result.task_path not in retry_safe:
            logger.error(
                "Task %s was lost with its worker and marked failed; it is not run again "
                "because part of it may have been done.",
                name,
            )
            return
        lost = _lost_count(task_path=result.task_path)[_argument_key(result.args_kwargs)]
        if lost >= MAX_RECOVERIES:
            recovery.abandoned.append(name)
            logger.error(
                "Task %s was lost with its worker %s times; it is not queued again.", name, lost
            )
            return
        args_kwargs = result.args_kwargs
        result.task.enqueue(*args_kwargs.get("args", []), **args_kwargs.get("kwargs", {}))
        recovery.requeued.append(name)
        logger.warning("Task %s was lost with its worker; it has been queued again.", name)


def _requeue_outstanding(
    *,
    task_path: str,
    outstanding: Callable[..., list[int]],
    before: datetime.datetime,
    recovery: Recovery,
) -> None:
    """Queue the render of each record waiting since ``before`` with nothing queued for it."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    waiting = outstanding(before=before)
    if not waiting:
        return
    live = DBTaskResult.objects.filter(
        task_path=task_path, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).values_list("args_kwargs", flat=True)
    covered = {_argument_key(args_kwargs) for args_kwargs in live}
    lost = _lost_count(task_path=task_path)
    task = import_string(task_path)
    for record_id in waiting:
        key = _argument_key({"args": [record_id]})
        if key in covered:
            continue
        if lost[key] >= MAX_RECOVERIES:
            continue  # its render keeps killing the worker; an admin can retry it
        task.enqueue(record_id)
        recovery.outstanding_requeued.append(f"{task_path} {record_id}")
        logger.warning(
            "%s %s had waited since before %s with no task queued; its task has been queued.",
            task_path,
            record_id,
            before.isoformat(),
        )


def _lost_count(*, task_path: str) -> Counter:
    """How many times each set of arguments of ``task_path`` was lost with its worker."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    lost = DBTaskResult.objects.filter(
        task_path=task_path,
        status=TaskResultStatus.FAILED,
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
    ).values_list("args_kwargs", flat=True)
    return Counter(_argument_key(args_kwargs) for args_kwargs in lost)


def _argument_key(args_kwargs: Any) -> str:
    """A task's arguments as a key, the same whether they were passed by position or name
    (in the order the task declares them, which for these tasks is one id)."""
    args = list((args_kwargs or {}).get("args") or [])
    kwargs = (args_kwargs or {}).get("kwargs") or {}
    return json.dumps([*args, *(kwargs[name] for name in sorted(kwargs))], sort_keys=True)
