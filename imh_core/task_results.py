"""The task results table (django-tasks-db): kept short, and free of old personal data.

Every queued task leaves a row, and an email's row holds the whole message (reset and
confirmation links included) as the task's argument. So:

- a delivered email's argument is replaced by a summary as soon as it has gone
  (``email_result_forget``, on the ``task_finished`` signal);
- finished results, successful or failed, are deleted after
  ``IMH_TASK_RESULTS_RETENTION_DAYS`` (7 by default) by the daily ``task-results-prune``
  schedule, which uses django-tasks-db's own ``prune_db_task_results`` command;
- when an account is deleted, the emails to or from its addresses that are still stored
  (queued, failed, or not yet summarised) are deleted too (``email_results_delete``).

Other backends (the immediate one in tests, a dummy one) store nothing, so all of this does
nothing there.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from email.utils import getaddresses
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db.models import Q

from imh_core.conf import imh_setting

EMAIL_TASK_PATH = "imh_core.mail.email_deliver"
ADDRESS_FIELDS = ("from_email", "to", "cc", "bcc", "reply_to")


def database_backend_in_use() -> bool:
    """Whether tasks are stored in the database (django-tasks-db) rather than run or dropped."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import task_backends

    return isinstance(task_backends["default"], DatabaseBackend)


def retention_days() -> int:
    days = imh_setting("IMH_TASK_RESULTS_RETENTION_DAYS")
    if not isinstance(days, int) or days < 1:
        raise ImproperlyConfigured(
            f"IMH_TASK_RESULTS_RETENTION_DAYS must be a whole number of days, 1 or more, "
            f"not {days!r}."
        )
    return days


def task_results_prune(*, days: int | None = None) -> bool:
    """Delete finished task results (successful or failed) older than ``days`` days, on every
    queue; False when tasks are not stored in the database. The command logs how many went."""
    if not database_backend_in_use():
        return False
    call_command(
        "prune_db_task_results",
        queue_name="*",
        min_age_days=retention_days() if days is None else days,
    )
    return True


def email_result_forget(*, task_result: Any) -> None:
    """Replace a delivered email's stored message with a summary: once it has gone, its body
    (with links that sign people in or reset passwords) is only a liability."""
    if task_result.task.module_path != EMAIL_TASK_PATH or not database_backend_in_use():
        return
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    if task_result.status != TaskResultStatus.SUCCESSFUL:
        return  # a failed message is kept (until pruned) to show what did not go
    DBTaskResult.objects.filter(pk=task_result.id).update(args_kwargs=_summary(task_result.args))


def email_results_delete(*, addresses: Iterable[str]) -> int:
    """Delete the stored emails sent to or from any of ``addresses``; how many.

    A message being delivered at this moment is not deleted (its worker still has to record
    the outcome on the row), but its stored copy is replaced by a summary.
    """
    wanted = {address.strip().lower() for address in addresses if address and address.strip()}
    if not wanted or not database_backend_in_use():
        return 0
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    # The database narrows the rows down by text; the addresses are then compared exactly,
    # so that deleting ann@example.org leaves joann@example.org's emails alone.
    # JSON may store a non-ASCII address escaped, so both spellings are looked for.
    mentions = Q()
    for address in wanted:
        for spelling in {address, json.dumps(address)[1:-1]}:
            mentions |= Q(args_kwargs__icontains=spelling)
    matching, running = [], []
    rows = (
        DBTaskResult.objects.filter(task_path=EMAIL_TASK_PATH)
        .filter(mentions)
        .values_list("pk", "status", "args_kwargs")
    )
    for pk, status, args_kwargs in rows.iterator():
        if not wanted & payload_addresses(args_kwargs):
            continue
        (running if status == TaskResultStatus.RUNNING else matching).append(pk)
    if running:
        for pk in running:
            DBTaskResult.objects.filter(pk=pk).update(args_kwargs=_summary(None))
    if not matching:
        return 0
    # The status is checked again in the DELETE itself: a worker may have claimed one since.
    deleted, _ = (
        DBTaskResult.objects.filter(pk__in=matching)
        .exclude(status=TaskResultStatus.RUNNING)
        .delete()
    )
    return deleted


def payload_addresses(args_kwargs: Any) -> set[str]:
    """The lower-cased addresses a stored email task names (sender, recipients, reply-to)."""
    if not isinstance(args_kwargs, dict):
        return set()
    payloads = [*(args_kwargs.get("args") or []), *(args_kwargs.get("kwargs") or {}).values()]
    found: set[str] = set()
    for payload in payloads:
        if not isinstance(payload, dict):
            continue
        for field in ADDRESS_FIELDS:
            value = payload.get(field) or []
            values = [value] if isinstance(value, str) else value
            for _name, address in getaddresses([str(item) for item in values]):
                if address:
                    found.add(address.strip().lower())
    return found


def _summary(args: Any) -> dict[str, Any]:
    """What is kept of a delivered email: the number of recipients, no content or address."""
    payload = args[0] if isinstance(args, list | tuple) and args else {}
    recipients = 0
    if isinstance(payload, dict):
        recipients = sum(len(payload.get(field) or []) for field in ("to", "cc", "bcc"))
    return {"args": [{"forgotten": True, "recipients": recipients}], "kwargs": {}}
