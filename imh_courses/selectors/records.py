"""Bulk reads of learning records for employers' reports: one query each, whatever the size.

They take the people as a queryset of user ids (usually a subquery of an organisation's
memberships), so thousands of ids never travel to the database as a list.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, Max, Q, QuerySet
from django.db.models.functions import TruncDate

from imh_courses.models import CourseCompletion, Enrolment, PathwayCompletion, PathwayCourse


@dataclass(frozen=True, slots=True)
class CompletionSummary:
    """What a person's completions of one course add up to."""

    last_completed_on: datetime.date
    # The furthest expiry of any completion; None when some completion never expires.
    valid_until: datetime.date | None


@dataclass(frozen=True, slots=True)
class EnrolmentSummary:
    """A person's open enrolment on a course."""

    started: bool
    due_on: datetime.date | None


def completion_summaries(
    *, user_ids: QuerySet | Iterable[int], course_ids: Iterable[int]
) -> dict[tuple[int, int], CompletionSummary]:
    """(user id, course id) -> summary of that person's completions of the course."""
    course_ids = list(course_ids)
    if not course_ids:
        return {}
    rows = (
        CourseCompletion.objects.filter(user_id__in=user_ids, course_id__in=course_ids)
        .order_by()
        .values("user_id", "course_id")
        .annotate(
            # The UK date, worked out by the database: dates are far cheaper to read than
            # timestamps when there are tens of thousands of rows.
            last=Max(TruncDate("completed_at")),
            furthest=Max("expires_on"),
            never=Count("pk", filter=Q(expires_on__isnull=True)),
        )
        .values_list("user_id", "course_id", "last", "furthest", "never")
    )
    return {
        (user_id, course_id): CompletionSummary(
            last_completed_on=last, valid_until=None if never else furthest
        )
        for user_id, course_id, last, furthest, never in rows
    }


def open_enrolment_summaries(
    *, user_ids: QuerySet | Iterable[int], course_ids: Iterable[int]
) -> dict[tuple[int, int], EnrolmentSummary]:
    """(user id, course id) -> the person's open enrolment: started yet, and its due date."""
    course_ids = list(course_ids)
    if not course_ids:
        return {}
    rows = (
        Enrolment.objects.filter(
            user_id__in=user_ids, course_id__in=course_ids, status=Enrolment.Status.ACTIVE
        )
        .order_by()
        .annotate(
            started=ExpressionWrapper(
                Q(last_activity_at__isnull=False), output_field=BooleanField()
            )
        )
        .values_list("user_id", "course_id", "started", "due_on")
    )
    return {
        (user_id, course_id): EnrolmentSummary(started=started, due_on=due_on)
        for user_id, course_id, started, due_on in rows
    }


def pathway_course_ids(*, pathway_ids: Iterable[int]) -> dict[int, list[int]]:
    """Pathway id -> its course ids, in order."""
    result: dict[int, list[int]] = {pk: [] for pk in pathway_ids}
    if not result:
        return result
    for pathway_id, course_id in (
        PathwayCourse.objects.filter(pathway_id__in=list(result))
        .order_by("pathway_id", "sort_order", "pk")
        .values_list("pathway_id", "course_id")
    ):
        result[pathway_id].append(course_id)
    return result


def pathway_completion_pairs(
    *, user_ids: QuerySet | Iterable[int], pathway_ids: Iterable[int]
) -> set[tuple[int, int]]:
    """(user id, pathway id) for every pathway the people have completed."""
    pathway_ids = list(pathway_ids)
    if not pathway_ids:
        return set()
    return set(
        PathwayCompletion.objects.filter(user_id__in=user_ids, pathway_id__in=pathway_ids)
        .order_by()
        .values_list("user_id", "pathway_id")
    )
