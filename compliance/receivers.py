"""Signal receivers: each one line into a service.

``membership_activated_assign`` is connected in ``ComplianceConfig.ready()``. It runs inside
the transaction that makes the membership active, within a savepoint of its own: whatever
goes wrong while assigning (it is logged, and the daily sync tries again) never stops
someone joining. ``course_completed_enrol_next`` follows a completed course with the next
course of a mandatory pathway, or an enrolment that was waiting for it as a prerequisite.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import receiver

from compliance.services.assignments import assignments_refresh, member_assign_mandatory
from courses.models import CourseCompletion
from courses.signals import course_completed

logger = logging.getLogger(__name__)


def membership_activated_assign(sender: Any, membership: Any, **kwargs: Any) -> None:
    try:
        member_assign_mandatory(membership=membership)
    except Exception:  # The join must stand; the daily sync assigns what was missed.
        logger.exception("Mandatory training for membership %s was not assigned", membership.pk)


@receiver(
    course_completed,
    sender=CourseCompletion,
    dispatch_uid="compliance.course_completed_enrol_next",
)
def course_completed_enrol_next(sender: Any, completion: Any, **kwargs: Any) -> None:
    try:
        with transaction.atomic():  # a savepoint: the completion stands whatever happens here
            assignments_refresh(user=completion.user)
    except Exception:  # The daily sync makes the enrolment instead.
        logger.exception("Enrolments after completion %s were not refreshed", completion.pk)
