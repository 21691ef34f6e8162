"""The scheduler's record of which slots of each periodic job have been queued."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ScheduledRun(models.Model):
    """One slot of a scheduled job (see ``imh_core.scheduler``) whose task has been queued.

    The row is written in the transaction that queues the task; its unique constraint means
    two schedulers running at once queue each slot once.
    """

    name = models.CharField(max_length=100, help_text="The schedule's name.")
    slot = models.DateTimeField(help_text="When the run was due.")
    enqueued_at = models.DateTimeField(default=timezone.now)
    task_id = models.CharField(max_length=64, blank=True, help_text="The queued task's id.")

    class Meta:
        ordering = ["-slot", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="imh_core_scheduledrun_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} at {timezone.localtime(self.slot):%Y-%m-%d %H:%M}"
