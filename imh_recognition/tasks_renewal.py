"""The daily renewal run as a task, queued by the ``recognition-renewals`` schedule."""

from __future__ import annotations

from imh_core.tasks import task
from imh_recognition.renewal import renewals_run


@task()
def recognition_renewals_run() -> dict[str, int]:
    """Send the renewal reminders due today and lapse recognitions that have run out."""
    run = renewals_run()
    return {"reminders": run.reminders, "lapsed": run.lapsed}
