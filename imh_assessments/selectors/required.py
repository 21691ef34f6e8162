"""The required activities on pages, one by one, with whether a person has passed each.

``required_activities_outstanding`` (in ``placements``) answers "which lessons still hold
something to pass?" for deciding completion. Pages that explain to a trainee what is left
(the lesson's "Mark as complete", the course's list of what is outstanding, progress) need
each activity by name, so they ask this instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext

from imh_assessments.models import ActivityPlacement, H5PActivity, Quiz
from imh_assessments.selectors.quizzes import quiz_ids_passed
from imh_assessments.selectors.xapi import h5p_ids_passed
from imh_reliability.models import ReliabilityTest
from imh_reliability.selectors import tests_passed

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


@dataclass(frozen=True, slots=True)
class RequiredActivity:
    """A required activity placed on a page, and whether the person asked about passed it."""

    page_id: int
    activity_type: str  # "quiz", "h5p" or "reliability"
    activity_id: int
    title: str
    passed: bool

    @property
    def anchor(self) -> str:
        """The id of the activity's block on the lesson page, to link straight to it."""
        prefixes = {
            ActivityPlacement.Type.QUIZ: "quiz",
            ActivityPlacement.Type.RELIABILITY: "reliability",
        }
        return f"{prefixes.get(self.activity_type, 'h5p')}-{self.activity_id}"

    @property
    def label(self) -> str:
        """ "the quiz “Attachment”", "the activity “Reading cues”", "the reliability test
        “Cues”", for sentences such as "Pass the quiz “Attachment”"; whole phrases, so that
        each language can word them."""
        quiz = self.activity_type == ActivityPlacement.Type.QUIZ
        reliability = self.activity_type == ActivityPlacement.Type.RELIABILITY
        if not self.title:
            if quiz:
                return gettext("a quiz that is no longer available (ask the course team)")
            if reliability:
                return gettext(
                    "a reliability test that is no longer available (ask the course team)"
                )
            return gettext("an activity that is no longer available (ask the course team)")
        if quiz:
            return gettext("the quiz “%(title)s”") % {"title": self.title}
        if reliability:
            return gettext("the reliability test “%(title)s”") % {"title": self.title}
        return gettext("the activity “%(title)s”") % {"title": self.title}


def required_activities(
    *, user: AbstractBaseUser | None, page_ids: Iterable[int]
) -> list[RequiredActivity]:
    """Every required activity placed on these pages, in page then placement order, each
    with its title and whether ``user`` has passed it (never, for someone not logged in).

    At most seven queries whatever the number of pages: the placements, then for each type of
    activity found among them its titles and the person's passes. An activity deleted from
    the library still stands in the way of completion (as ``required_activities_outstanding``
    counts it), so it is listed too, with no title.
    """
    page_ids = list(page_ids)
    if not page_ids:
        return []
    placements = list(
        ActivityPlacement.objects.filter(page_id__in=page_ids, required=True)
        .order_by("page_id", "pk")
        .values_list("page_id", "activity_type", "activity_id")
    )
    if not placements:
        return []
    wanted: dict[str, set[int]] = defaultdict(set)
    for _, activity_type, activity_id in placements:
        wanted[activity_type].add(activity_id)

    titles: dict[str, dict[int, str]] = {}
    passed: dict[str, set[int]] = {}
    quiz_ids = wanted.get(ActivityPlacement.Type.QUIZ)
    if quiz_ids:
        titles["quiz"] = dict(Quiz.objects.filter(pk__in=quiz_ids).values_list("pk", "title"))
        passed["quiz"] = quiz_ids_passed(user=user, quiz_ids=quiz_ids) if user else set()
    h5p_ids = wanted.get(ActivityPlacement.Type.H5P)
    if h5p_ids:
        titles["h5p"] = dict(H5PActivity.objects.filter(pk__in=h5p_ids).values_list("pk", "title"))
        passed["h5p"] = h5p_ids_passed(user=user, activity_ids=h5p_ids) if user else set()
    test_ids = wanted.get(ActivityPlacement.Type.RELIABILITY)
    if test_ids:
        titles["reliability"] = dict(
            ReliabilityTest.objects.filter(pk__in=test_ids).values_list("pk", "title")
        )
        # Only a pass that has not expired counts.
        passed["reliability"] = tests_passed(user=user, test_ids=test_ids) if user else set()

    # Pages in the order asked; placements in the order they were recorded.
    order = {page_id: index for index, page_id in enumerate(dict.fromkeys(page_ids))}
    placements.sort(key=lambda row: order.get(row[0], len(order)))
    return [
        RequiredActivity(
            page_id=page_id,
            activity_type=activity_type,
            activity_id=activity_id,
            title=titles.get(activity_type, {}).get(activity_id, ""),
            passed=activity_id in passed.get(activity_type, set()),
        )
        for page_id, activity_type, activity_id in placements
    ]
