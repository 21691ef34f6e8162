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

from imh_compliance.services.assignments import assignments_refresh, member_assign_mandatory
from imh_compliance.services.facts import (
    FACT_FIELDS,
    assignment_facts_refresh,
    facts_refresh_for,
    facts_refresh_for_pathway,
)
from imh_courses.models import CourseCompletion
from imh_courses.signals import course_completed

logger = logging.getLogger(__name__)


def membership_activated_assign(sender: Any, membership: Any, **kwargs: Any) -> None:
    try:
        member_assign_mandatory(membership=membership)
    except Exception:  # The join must stand; the daily sync assigns what was missed.
        logger.exception("Mandatory training for membership %s was not assigned", membership.pk)


@receiver(
    course_completed,
    sender=CourseCompletion,
    dispatch_uid="imh_compliance.course_completed_enrol_next",
)
def course_completed_enrol_next(sender: Any, completion: Any, **kwargs: Any) -> None:
    try:
        with transaction.atomic():  # a savepoint: the completion stands whatever happens here
            assignments_refresh(user=completion.user)
    except Exception:  # The daily sync makes the enrolment instead.
        logger.exception("Enrolments after completion %s were not refreshed", completion.pk)


# Keeping assignments' learning facts current (``imh_compliance.services.facts``). These run in
# the transaction that changed the record, so the facts commit or roll back with it. They
# are connected in ``ComplianceConfig.ready()``.


def _refresh_safely(refresh: Any, what: str, **kwargs: Any) -> None:
    try:
        with transaction.atomic():  # a savepoint: the learning record stands whatever happens
            refresh(**kwargs)
    except Exception:  # The nightly check corrects it.
        logger.exception("Learning facts were not refreshed after a change to %s", what)


def completion_changed_refresh_facts(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # loading fixtures: the nightly check follows
        return
    _refresh_safely(
        facts_refresh_for,
        f"completion {instance.pk}",
        user_id=instance.user_id,
        course_id=instance.course_id,
    )


# Saving an enrolment changes the facts only through these fields.
_ENROLMENT_FACT_FIELDS = frozenset({"status", "last_activity_at", "user", "course"})


def enrolment_changed_refresh_facts(sender: Any, instance: Any, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if kwargs.get("raw") or (
        update_fields is not None and not _ENROLMENT_FACT_FIELDS.intersection(update_fields)
    ):
        return
    _refresh_safely(
        facts_refresh_for,
        f"enrolment {instance.pk}",
        user_id=instance.user_id,
        course_id=instance.course_id,
    )


def enrolment_started_refresh_facts(
    sender: Any, user_id: int, course_id: int, **kwargs: Any
) -> None:
    _refresh_safely(facts_refresh_for, f"course {course_id}", user_id=user_id, course_id=course_id)


def pathway_course_changed_refresh_facts(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    _refresh_safely(
        facts_refresh_for_pathway, f"pathway {instance.pathway_id}", pathway_id=instance.pathway_id
    )


def assignment_saved_refresh_facts(
    sender: Any, instance: Any, created: bool, **kwargs: Any
) -> None:
    """A new assignment starts from the facts of what its person has already done."""
    if not created or kwargs.get("raw"):
        return
    _refresh_safely(
        assignment_facts_refresh,
        f"assignment {instance.pk}",
        assignments=sender.objects.filter(pk=instance.pk),
    )
    refreshed = sender.objects.filter(pk=instance.pk).values(*FACT_FIELDS).first()
    if refreshed:
        for name, value in refreshed.items():
            setattr(instance, name, value)
