"""The daily clip retention run as a task (queued by the scheduler, see wagtail_hooks)."""

from __future__ import annotations

from imh_core.tasks import task
from imh_reliability.services import clips_retention_run


@task()
def clips_retention_task() -> dict[str, int]:
    """Delete every clip file past its retention date; returns how many went."""
    return {"deleted": clips_retention_run()}
