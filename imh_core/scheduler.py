"""Periodic jobs without cron: each schedule queues its task on the task worker when due.

``manage.py run_scheduler`` runs beside the task worker (``db_worker``) and, every half
minute, queues the task of each schedule whose latest due slot has passed and has not been
queued yet. Times are local (``TIME_ZONE``, so UK clock changes are followed).

- Once per slot: a ``ScheduledRun`` row is written in the transaction that queues the task,
  and its unique constraint stops a second scheduler (or a second pass) queuing it again.
- Catch-up: after downtime only the latest missed slot of each schedule runs, once, as soon
  as the scheduler starts; the jobs themselves are safe to repeat and catch up on their own
  (each reminder and digest is sent once).
- Hosts that prefer cron run ``manage.py run_scheduler --once`` every few minutes, or the
  jobs' own commands (``certificates_send_reminders``, ``compliance_send_reminders``,
  ``compliance_send_digests``) once a day.
- Upkeep of the queue itself runs every few minutes (``every``): recovering tasks lost with
  their worker (``imh_core.task_recovery``). Its slots are counted from midnight UTC, so
  they do not move with the clocks.

Each app lists its own jobs through the ``IMH_SCHEDULES`` hook (see ``imh_core.hooks``), in
its ``wagtail_hooks.py``; a host site registers its own jobs the same way.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from imh_core.hooks import IMH_SCHEDULES, hook_results
from imh_core.models import ScheduledRun

logger = logging.getLogger(__name__)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Rows older than this are deleted as new ones are written; they only guard recent slots.
KEEP_RUNS_FOR = datetime.timedelta(days=90)
# Schedules that run every few minutes write many rows; a day of them is plenty.
KEEP_FREQUENT_RUNS_FOR = datetime.timedelta(days=1)
EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Schedule:
    """A task queued daily at a local time, weekly on a weekday (0 is Monday) at one, or
    ``every`` so many minutes."""

    name: str
    task: str  # dotted path to a task (made with the ``task`` decorator), taking no arguments
    at: datetime.time | None = None
    weekday: int | None = None
    every: datetime.timedelta | None = None

    def __post_init__(self) -> None:
        if (self.at is None) == (self.every is None):
            raise ValueError(f"{self.name}: give either a time of day (at) or every, not both.")
        if self.every is not None and (
            self.weekday is not None or self.every < datetime.timedelta(minutes=1)
        ):
            raise ValueError(f"{self.name}: every must be a minute or more, with no weekday.")
        if self.weekday is not None and not 0 <= self.weekday <= 6:
            raise ValueError(f"{self.name}: weekday must be 0 (Monday) to 6 (Sunday).")

    @property
    def period(self) -> datetime.timedelta:
        if self.every is not None:
            return self.every
        return datetime.timedelta(days=1 if self.weekday is None else 7)

    @property
    def description(self) -> str:
        if self.every is not None:
            minutes = int(self.every.total_seconds() // 60)
            return "Every minute" if minutes == 1 else f"Every {minutes} minutes"
        when = "Daily" if self.weekday is None else f"{WEEKDAYS[self.weekday]}s"
        return f"{when} at {self.at:%H:%M}"

    def _slot_on(self, day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, self.at))

    def latest_slot(self, now: datetime.datetime) -> datetime.datetime:
        """The most recent time this schedule was due, at or before ``now``."""
        if self.every is not None:
            return EPOCH + (now - EPOCH) // self.every * self.every
        day = timezone.localtime(now).date()
        if self.weekday is not None:
            day -= datetime.timedelta(days=(day.weekday() - self.weekday) % 7)
        slot = self._slot_on(day)
        if slot > now:
            slot = self._slot_on(day - self.period)
        return slot


def schedules_registered() -> tuple[Schedule, ...]:
    """Every job the installed apps (and the host site) schedule, in hook order.

    Two jobs under one name would share their slots, and one of them would never run, so
    that is refused.
    """
    found: dict[str, Schedule] = {}
    for answer in hook_results(IMH_SCHEDULES):
        for schedule in answer or ():
            if schedule.name in found:
                raise ImproperlyConfigured(f"Two scheduled jobs are named {schedule.name!r}.")
            found[schedule.name] = schedule
    return tuple(found.values())


def _enqueue(*, schedule: Schedule, slot: datetime.datetime) -> bool:
    """Record the slot and queue its task together; False if it was already queued."""
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(name=schedule.name, slot=slot)
            result = import_string(schedule.task).enqueue()
            run.task_id = str(getattr(result, "id", "") or "")[:64]
            run.save(update_fields=["task_id"])
    except IntegrityError:
        return False  # another scheduler queued this slot first
    return True


def schedules_run_due(
    *,
    now: datetime.datetime | None = None,
    schedules: tuple[Schedule, ...] | list[Schedule] | None = None,
) -> list[str]:
    """Queue every schedule whose latest slot has not been queued; returns their names."""
    now = now or timezone.now()
    if schedules is None:
        schedules = schedules_registered()
    queued = []
    for schedule in schedules:
        slot = schedule.latest_slot(now)
        if ScheduledRun.objects.filter(name=schedule.name, slot=slot).exists():
            continue
        try:
            if _enqueue(schedule=schedule, slot=slot):
                queued.append(schedule.name)
        except Exception:
            # A task that cannot be imported or queued is tried again on the next pass;
            # the other schedules still run.
            logger.exception("Scheduled job %s could not be queued", schedule.name)
    if queued:
        ScheduledRun.objects.filter(slot__lt=now - KEEP_RUNS_FOR).delete()
        frequent = [schedule.name for schedule in schedules if schedule.every is not None]
        if frequent:
            ScheduledRun.objects.filter(
                name__in=frequent, slot__lt=now - KEEP_FREQUENT_RUNS_FOR
            ).delete()
    return queued
