"""The demo's H5P activity: the project's own ``IMH.CueCheck`` content type, required in the
lesson on reading a baby's cues. Loaded idempotently."""

from __future__ import annotations

from django.db import transaction

from imh_assessments.models import H5PActivity
from imh_assessments.services.h5p import h5p_demo_activity_get_or_create
from imh_courses.models import LessonPage

H5P_LESSON = "attunement-and-serve-and-return"


def _place(activity: H5PActivity) -> None:
    """Add the activity to the lesson once, as a requirement, and publish the lesson so its
    placements are recorded."""
    lesson = LessonPage.objects.filter(slug=H5P_LESSON).order_by("path").first()
    if lesson is None:
        return
    if any(block.block_type == "h5p" for block in lesson.body):
        return
    lesson.body.append(("h5p", {"activity": activity, "required": True}))
    lesson.save_revision().publish()


@transaction.atomic
def demo_h5p_load(*, educator=None) -> H5PActivity:
    """Create the demo H5P activity (once) and make it a requirement of its lesson."""
    activity, _created = h5p_demo_activity_get_or_create(uploaded_by=educator)
    _place(activity)
    return activity
