"""Reminders and the weekly digest as tasks, so the scheduler (or cron) can queue them."""

from __future__ import annotations

from imh_compliance.services.reminders import digests_send, reminders_send_due
from imh_core.tasks import task


@task()
def compliance_reminders_task() -> dict[str, int]:
    """Send today's due-soon and overdue reminders (each once); returns what went."""
    return reminders_send_due()


@task()
def compliance_digests_task() -> int:
    """Send this week's digest to managers who have not had it; returns how many went."""
    return digests_send()
