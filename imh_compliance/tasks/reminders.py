"""Reminders and the weekly digest as tasks, so the scheduler (or cron) can queue them."""

from __future__ import annotations

try:  # pragma: no cover - which branch runs depends on the Django version
    from django.tasks import task
except ImportError:  # pragma: no cover
    from django_tasks import task

from imh_compliance.services.reminders import digests_send, reminders_send_due


@task()
def compliance_reminders_task() -> dict[str, int]:
    """Send today's due-soon and overdue reminders (each once); returns what went."""
    return reminders_send_due()


@task()
def compliance_digests_task() -> int:
    """Send this week's digest to managers who have not had it; returns how many went."""
    return digests_send()
