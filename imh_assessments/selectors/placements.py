"""Reads for assessments that other apps rely on (courses asks them when deciding completion)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from imh_assessments.models import ActivityPlacement
from imh_assessments.selectors.quizzes import quiz_ids_passed
from imh_assessments.selectors.xapi import h5p_ids_passed
from imh_reliability.selectors import tests_passed

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

# Which "passed" selector answers for each type of activity.
_PASSED = {
    ActivityPlacement.Type.QUIZ: lambda user, ids: quiz_ids_passed(user=user, quiz_ids=ids),
    ActivityPlacement.Type.H5P: lambda user, ids: h5p_ids_passed(user=user, activity_ids=ids),
    # A reliability result counts only while it has not expired.
    ActivityPlacement.Type.RELIABILITY: lambda user, ids: tests_passed(user=user, test_ids=ids),
}


def required_activities_outstanding(
    *, user: AbstractBaseUser, lesson_ids: Iterable[int]
) -> set[int]:
    """The ids, among ``lesson_ids``, of lessons holding a required activity ``user`` has not
    yet passed (quiz, H5P activity, or reliability test with a pass that has not expired).

    ``imh_courses.services.learning.course_completion_evaluate`` calls this to apply a course's
    "required assessments passed" rule. It stays at most four queries whatever the number of
    lessons (the placements, then one per type of activity found among them), because
    completion is evaluated after every progress event.
    """
    lesson_ids = list(lesson_ids)
    if not lesson_ids:
        return set()
    placements = list(
        ActivityPlacement.objects.filter(page_id__in=lesson_ids, required=True).values_list(
            "page_id", "activity_type", "activity_id"
        )
    )
    if not placements:
        return set()
    wanted: dict[str, set[int]] = defaultdict(set)
    for _, activity_type, activity_id in placements:
        wanted[activity_type].add(activity_id)
    passed = {
        activity_type: set(_PASSED[activity_type](user, ids)) if activity_type in _PASSED else set()
        for activity_type, ids in wanted.items()
    }
    return {
        page_id
        for page_id, activity_type, activity_id in placements
        if activity_id not in passed[activity_type]
    }


def pages_with_required_activities(*, page_ids: Iterable[int]) -> set[int]:
    """The ids, among ``page_ids``, of pages holding at least one required activity (one
    query). Courses completes such lessons once their activities are all passed."""
    page_ids = list(page_ids)
    if not page_ids:
        return set()
    return set(
        ActivityPlacement.objects.filter(page_id__in=page_ids, required=True)
        .values_list("page_id", flat=True)
        .distinct()
    )


def activities_placed(*, page_ids: Iterable[int]) -> list[ActivityPlacement]:
    """The activities placed on these pages, in page then placement order (one query)."""
    page_ids = list(page_ids)
    if not page_ids:
        return []
    return list(ActivityPlacement.objects.filter(page_id__in=page_ids).order_by("page_id", "pk"))
