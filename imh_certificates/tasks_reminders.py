"""The expiry-reminder run as a task, for hosts that schedule work through their task worker.

The task backend has no periodic scheduler: cron or a systemd timer runs
``manage.py certificates_send_reminders`` once a day, or enqueues this task.
"""

from __future__ import annotations

from imh_certificates.reminders import reminders_send
from imh_core.tasks import task


@task()
def certificate_reminders_send() -> dict[str, int]:
    """Send every expiry reminder due today; returns how many reminders and emails went."""
    run = reminders_send()
    return {"reminders": run.reminders, "emails": run.emails}
