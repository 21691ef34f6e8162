"""Reads about learning: enrolments, progress, My learning, reports and reflections.

List reads make a fixed number of queries whatever the number of enrolments or courses, so
pages built on them stay quick for a trainee with many courses and for big reports.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from imh_assessments.selectors.required import RequiredActivity, required_activities
from imh_courses.models import (
    Booking,
    CourseCompletion,
    CoursePage,
    Enrolment,
    LessonPage,
    LessonProgress,
    Reflection,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from wagtail.blocks import StructValue

# Days before expiry from which a certificate is due for renewal: My learning says so, the
# course can be taken again, and the first expiry reminder goes out (60 days before).
EXPIRY_WARNING_DAYS = 60


def renewal_opens_on(*, expires_on: datetime.date) -> datetime.date:
    """The first day a course can be taken again to renew a certificate expiring then."""
    return expires_on - datetime.timedelta(days=EXPIRY_WARNING_DAYS)


def renewal_due(
    *, course: CoursePage, completion: CourseCompletion, today: datetime.date | None = None
) -> bool:
    """Whether the person who made ``completion`` (their latest) may take ``course`` again.

    Only a course whose certificate expires is taken again, and not straight after it is
    completed: from ``EXPIRY_WARNING_DAYS`` before the certificate expires, or after it has.
    A completion recorded before the course had an expiry has none, and may be renewed now.
    """
    if not course.certificate_validity_months:
        return False
    if completion.expires_on is None:
        return True
    today = today or timezone.localdate()
    return today >= renewal_opens_on(expires_on=completion.expires_on)


# Enrolments.


def enrolment_current(*, user: AbstractBaseUser, course: CoursePage) -> Enrolment | None:
    """The enrolment that says where the person stands on the course now.

    Their open (in progress) enrolment if they have one, otherwise their latest completed
    one; ``None`` if neither (never enrolled, or only withdrawn). One query.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Enrolment.objects.filter(
            user=user,
            course=course,
            status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.COMPLETED],
        )
        # "active" sorts before "completed"; then the newest cycle.
        .order_by("status", "-cycle")
        .first()
    )


def enrolment_open(*, user: AbstractBaseUser, course: CoursePage) -> Enrolment | None:
    """The person's open (in progress) enrolment on the course, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Enrolment.objects.filter(
        user=user, course=course, status=Enrolment.Status.ACTIVE
    ).first()


def enrolment_latest(*, user: AbstractBaseUser, course: CoursePage) -> Enrolment | None:
    """The person's most recent enrolment on the course, whatever its status."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Enrolment.objects.filter(user=user, course=course)
        .select_related("completion")
        .order_by("-cycle")
        .first()
    )


def user_can_view_lessons(*, user: AbstractBaseUser, course: CoursePage) -> bool:
    """True for people enrolled on the course now or who have completed it."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Enrolment.objects.filter(
        user=user,
        course=course,
        status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.COMPLETED],
    ).exists()


def pages_user_may_attempt(*, user: AbstractBaseUser, page_ids: Iterable[int]) -> set[int]:
    """The ids, among ``page_ids``, of live pages in (or of) a course ``user`` may learn on.

    Courses' answer to assessments' ``IMH_ATTEMPT_POLICIES`` hook: a quiz or H5P activity on a
    lesson may be attempted by people enrolled on its course now, or who have completed it (they may
    still see its lessons, and practise). Educators and administrators previewing a lesson
    are not enrolled, so their attempts are refused: results belong to trainees. One query,
    whatever the number of pages: a page's course is the enrolment's course whose tree path
    begins the page's path.
    """
    page_ids = list(page_ids)
    if not page_ids or not getattr(user, "is_authenticated", False):
        return set()
    enrolled = Enrolment.objects.filter(
        user=user,
        status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.COMPLETED],
        course__path=Substr(OuterRef("path"), 1, F("course__depth") * Page.steplen),
    )
    return set(
        Page.objects.live()
        .filter(pk__in=page_ids)
        .filter(Exists(enrolled))
        .values_list("pk", flat=True)
    )


def course_enrolments(*, course: CoursePage) -> QuerySet[Enrolment]:
    """Everyone's enrolments on the course, newest first, for educators' lists."""
    return (
        Enrolment.objects.filter(course=course)
        .select_related("user", "assigned_by", "completion")
        .order_by("-enrolled_at", "-pk")
    )


# Lessons and progress.


def course_lessons_visible(*, courses: Iterable[CoursePage]) -> dict[int, list[LessonPage]]:
    """Each course's lessons that trainees can open, in the order of the course outline.

    The same rule as the course outline: a lesson counts when it and its module are live and
    neither has a view restriction of its own (a restriction on the course or above is the
    course page's business, passed by whoever reaches it). Three queries for any number of
    courses; lesson bodies are not loaded.
    """
    courses = list(courses)
    result: dict[int, list[LessonPage]] = {course.pk: [] for course in courses}
    if not courses:
        return result
    lessons_q, modules_q = Q(), Q()
    for course in courses:
        lessons_q |= Q(path__startswith=course.path, depth=course.depth + 2)
        modules_q |= Q(path__startswith=course.path, depth=course.depth + 1)
    lessons = list(LessonPage.objects.live().filter(lessons_q).defer("body").order_by("path"))
    if not lessons:
        return result
    live_modules = set(Page.objects.live().filter(modules_q).values_list("path", flat=True))
    restricted = set(PageViewRestriction.objects.values_list("page__path", flat=True))
    by_path = {course.path: course.pk for course in courses}
    for lesson in lessons:
        module_path = lesson.path[: -Page.steplen]
        if module_path not in live_modules or restricted & {module_path, lesson.path}:
            continue
        course_id = by_path.get(module_path[: -Page.steplen])
        if course_id is not None:
            result[course_id].append(lesson)
    return result


def sessions_attended(*, enrolment: Enrolment) -> list[Booking]:
    """The live sessions of the enrolment's course the person attended in full, booked during
    this enrolment, soonest first: what the completion rule counts (one query)."""
    return list(
        Booking.objects.filter(
            user_id=enrolment.user_id,
            session__course_id=enrolment.course_id,
            status=Booking.Status.CONFIRMED,
            attendance=Booking.Attendance.ATTENDED,
            created_at__gte=enrolment.enrolled_at,
        )
        .select_related("session")
        .order_by("session__starts_at", "pk")
    )


def _attended_counts(enrolments: list[Enrolment]) -> dict[int, int]:
    """``len(sessions_attended(...))`` for many enrolments, in one query (none when no course
    asks for live sessions)."""
    wanted = [e for e in enrolments if e.course.required_live_sessions]
    if not wanted:
        return {}
    rows = Booking.objects.filter(
        user_id__in={e.user_id for e in wanted},
        session__course_id__in={e.course_id for e in wanted},
        status=Booking.Status.CONFIRMED,
        attendance=Booking.Attendance.ATTENDED,
    ).values_list("user_id", "session__course_id", "created_at")
    counts: dict[int, int] = defaultdict(int)
    by_key = {(e.user_id, e.course_id): e for e in wanted}
    for user_id, course_id, created_at in rows:
        enrolment = by_key.get((user_id, course_id))
        if enrolment is not None and created_at >= enrolment.enrolled_at:
            counts[enrolment.pk] += 1
    return counts


def progress_figures(
    *,
    enrolment: Enrolment,
    course: CoursePage,
    lessons: list[Any],
    done: set[int],
    activities: list[RequiredActivity],
    attended: int,
) -> dict[str, Any]:
    """How far ``enrolment`` has got, and what its course's completion rule still asks.

    ``lessons`` are the course's visible lessons in outline order (``LessonPage`` or outline
    entries: anything with ``id``, ``required`` and ``title``), ``done`` the ids of those
    recorded as complete, ``activities`` the required activities placed on them (from
    ``imh_assessments.selectors.required.required_activities``) and ``attended`` the number of
    live sessions counted towards the rule. The rule is ``course_completion_evaluate``'s:

    - where the course asks for assessments to be passed, a lesson holding a required
      activity the person has not passed is not done, whatever was recorded (it was marked
      complete before the activity was added, say): nor does the rule count it;
    - ``percent`` counts every requirement of the rule: the required lessons (all lessons
      when none is required), the required activities when the course asks for them to be
      passed, and the live sessions to attend. So it reaches 100 only once nothing is left;
      a completed enrolment is 100 whatever the course has become since.
    - ``lessons_outstanding`` (lessons), ``activities_outstanding`` ((activity, its lesson)
      pairs) and ``sessions_missing`` say what is left, for the course page to tell the
      person why the course is not complete yet.
    """
    counted_activities = activities if course.require_assessments else []
    done = done - {activity.page_id for activity in counted_activities if not activity.passed}
    required = [lesson for lesson in lessons if lesson.required]
    counted = required or lessons
    counted_done = sum(1 for lesson in counted if lesson.id in done)
    activities_passed = sum(1 for activity in counted_activities if activity.passed)
    sessions_required = course.required_live_sessions
    sessions_counted = min(attended, sessions_required)

    lessons_outstanding = (
        [lesson for lesson in required if lesson.id not in done]
        if course.require_all_lessons
        else []
    )
    activities_outstanding = [activity for activity in counted_activities if not activity.passed]

    total = len(counted) + len(counted_activities) + sessions_required
    if enrolment.status == Enrolment.Status.COMPLETED:
        percent = 100
    elif total:
        percent = (counted_done + activities_passed + sessions_counted) * 100 // total
    else:
        percent = 0
    by_id = {lesson.id: lesson for lesson in lessons}
    return {
        "percent": percent,
        "completed_ids": done,
        "required_total": len(required),
        "required_completed": sum(1 for lesson in required if lesson.id in done),
        "lesson_total": len(lessons),
        "lessons_completed": sum(1 for lesson in lessons if lesson.id in done),
        "next_lesson": next((lesson for lesson in lessons if lesson.id not in done), None),
        "activities_total": len(counted_activities),
        "activities_passed": activities_passed,
        "sessions_required": sessions_required,
        "sessions_attended": attended,
        "sessions_counted": sessions_counted,
        "lessons_outstanding": lessons_outstanding,
        "activities_outstanding": [
            (activity, by_id.get(activity.page_id)) for activity in activities_outstanding
        ],
        "sessions_missing": sessions_required - sessions_counted,
    }


def _progress_many(
    enrolments: list[Enrolment],
    lessons: dict[int, list[LessonPage]] | None = None,
    *,
    user: AbstractBaseUser | None = None,
) -> dict[int, dict[str, Any]]:
    """``course_progress`` for many enrolments in a fixed number of queries.

    The enrolments are one person's (``user``, when the caller holds it), as on My learning.
    """
    if not enrolments:
        return {}
    if lessons is None:
        courses = {enrolment.course_id: enrolment.course for enrolment in enrolments}
        lessons = course_lessons_visible(courses=courses.values())
    done: dict[int, set[int]] = defaultdict(set)
    for enrolment_id, lesson_id in LessonProgress.objects.filter(
        enrolment__in=[enrolment.pk for enrolment in enrolments]
    ).values_list("enrolment_id", "lesson_id"):
        done[enrolment_id].add(lesson_id)
    people = {enrolment.user_id for enrolment in enrolments}
    activities_by_page: dict[tuple[int, int], list[RequiredActivity]] = defaultdict(list)
    for user_id in people:
        person = user if user is not None and user.pk == user_id else None
        if person is None:
            person = next(e for e in enrolments if e.user_id == user_id).user
        page_ids = [
            lesson.pk
            for enrolment in enrolments
            if enrolment.user_id == user_id and enrolment.course.require_assessments
            for lesson in lessons[enrolment.course_id]
        ]
        if not page_ids:
            continue
        for activity in required_activities(user=person, page_ids=page_ids):
            activities_by_page[(user_id, activity.page_id)].append(activity)
    attended = _attended_counts(enrolments)
    return {
        enrolment.pk: progress_figures(
            enrolment=enrolment,
            course=enrolment.course,
            lessons=lessons[enrolment.course_id],
            done=done[enrolment.pk],
            activities=[
                activity
                for lesson in lessons[enrolment.course_id]
                for activity in activities_by_page.get((enrolment.user_id, lesson.pk), [])
            ],
            attended=attended.get(enrolment.pk, 0),
        )
        for enrolment in enrolments
    }


def course_progress(*, enrolment: Enrolment) -> dict[str, Any]:
    """How far the enrolment has got, in a fixed number of queries (see ``progress_figures``).

    ``percent`` (whole number, of everything the completion rule asks; 100 once completed),
    ``completed_ids`` (lesson ids done), ``required_total`` and ``required_completed``,
    ``lesson_total`` and ``lessons_completed``, ``next_lesson`` (the first lesson in outline
    order not yet done, or ``None``), and what is still outstanding.
    """
    return _progress_many([enrolment])[enrolment.pk]


def lesson_next(*, lesson: LessonPage) -> LessonPage | None:
    """The lesson after ``lesson`` in its course's outline (crossing modules), or ``None``."""
    course = CoursePage.objects.ancestor_of(lesson).first()
    if course is None:
        return None
    lessons = course_lessons_visible(courses=[course])[course.pk]
    later = [candidate for candidate in lessons if candidate.path > lesson.path]
    return later[0] if later else None


# My learning.


def _continue_lesson(
    *, enrolment: Enrolment, lessons: list[LessonPage], progress: dict[str, Any]
) -> LessonPage | None:
    """Where to pick up: the lesson last opened if it is not done yet, else the next one."""
    if enrolment.last_lesson_id and enrolment.last_lesson_id not in progress["completed_ids"]:
        for lesson in lessons:
            if lesson.pk == enrolment.last_lesson_id:
                return lesson
    return progress["next_lesson"] or (lessons[0] if lessons else None)


def my_learning(*, user: AbstractBaseUser) -> dict[str, Any]:
    """Everything the My learning page shows, in a fixed number of queries.

    - ``assigned``: open enrolments someone assigned, soonest due first, with ``overdue``;
    - ``in_progress``: open enrolments the person chose, most recently active first;
    - ``completed``: the latest completion of each course, newest first, with ``expired`` and
      ``expires_soon`` (within ``EXPIRY_WARNING_DAYS``);
    - ``upcoming_sessions``: current bookings (confirmed, waiting list, awaiting approval) for
      live sessions that have not started yet, soonest first.

    Each open enrolment comes as ``{"enrolment", "course", "progress", "continue_lesson",
    "overdue"}`` (``progress`` as from ``course_progress``); each completion as
    ``{"completion", "course", "enrolment", "expired", "expires_soon"}``.
    """
    today = timezone.localdate()
    now = timezone.now()
    enrolments = list(
        Enrolment.objects.filter(
            user=user, status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.COMPLETED]
        )
        .select_related("course", "completion")
        .order_by("-enrolled_at", "-pk")
    )
    active = [e for e in enrolments if e.status == Enrolment.Status.ACTIVE]
    lessons = course_lessons_visible(courses={e.course_id: e.course for e in active}.values())
    progress = _progress_many(active, lessons, user=user)

    assigned, in_progress = [], []
    for enrolment in active:
        item = {
            "enrolment": enrolment,
            "course": enrolment.course,
            "progress": progress[enrolment.pk],
            "continue_lesson": _continue_lesson(
                enrolment=enrolment,
                lessons=lessons[enrolment.course_id],
                progress=progress[enrolment.pk],
            ),
            "overdue": enrolment.due_on is not None and enrolment.due_on < today,
        }
        if enrolment.source == Enrolment.Source.ASSIGNED:
            assigned.append(item)
        else:
            in_progress.append(item)
    assigned.sort(key=lambda item: (item["enrolment"].due_on is None, item["enrolment"].due_on))
    in_progress.sort(
        key=lambda item: item["enrolment"].last_activity_at or item["enrolment"].enrolled_at,
        reverse=True,
    )

    completed, seen = [], set()
    for enrolment in sorted(
        (e for e in enrolments if e.status == Enrolment.Status.COMPLETED),
        key=lambda e: e.completed_at,
        reverse=True,
    ):
        if enrolment.course_id in seen:
            continue
        seen.add(enrolment.course_id)
        completion = getattr(enrolment, "completion", None)
        expires_on = completion.expires_on if completion else None
        completed.append(
            {
                "completion": completion,
                "course": enrolment.course,
                "enrolment": enrolment,
                "expired": expires_on is not None and expires_on < today,
                "expires_soon": expires_on is not None
                and today <= expires_on <= today + timezone.timedelta(days=EXPIRY_WARNING_DAYS),
            }
        )

    upcoming = list(
        Booking.objects.filter(
            user=user,
            status__in=Booking.CURRENT_STATUSES,
            session__starts_at__gt=now,
        )
        .select_related("session", "session__course")
        .order_by("session__starts_at", "pk")
    )
    return {
        "assigned": assigned,
        "in_progress": in_progress,
        "completed": completed,
        "upcoming_sessions": upcoming,
        "today": today,
    }


# Reports.


def _median_days(durations: list[float]) -> float | None:
    return round(statistics.median(durations), 1) if durations else None


def course_reports(*, courses: Iterable[CoursePage] | None = None) -> list[dict[str, Any]]:
    """``course_report`` for each course (all courses, by title, when none are given).

    Three queries whatever the number of courses and enrolments.
    """
    if courses is None:
        courses = CoursePage.objects.order_by("title", "pk")
    courses = list(courses)
    course_ids = [course.pk for course in courses]
    counts = {
        row["course_id"]: row
        for row in Enrolment.objects.filter(course_id__in=course_ids)
        .values("course_id")
        .annotate(
            enrolled=Count("pk"),
            in_progress=Count("pk", filter=Q(status=Enrolment.Status.ACTIVE)),
            completed=Count("pk", filter=Q(status=Enrolment.Status.COMPLETED)),
            withdrawn=Count("pk", filter=Q(status=Enrolment.Status.WITHDRAWN)),
        )
        .order_by()
    }
    durations: dict[int, list[float]] = defaultdict(list)
    for course_id, enrolled_at, completed_at in Enrolment.objects.filter(
        course_id__in=course_ids, status=Enrolment.Status.COMPLETED
    ).values_list("course_id", "enrolled_at", "completed_at"):
        durations[course_id].append((completed_at - enrolled_at).total_seconds() / 86400)
    reports = []
    for course in courses:
        row = counts.get(course.pk, {})
        enrolled, completed = row.get("enrolled", 0), row.get("completed", 0)
        reports.append(
            {
                "course": course,
                "course_id": course.pk,
                "title": course.title,
                "live": course.live,
                "enrolled": enrolled,
                "in_progress": row.get("in_progress", 0),
                "completed": completed,
                "withdrawn": row.get("withdrawn", 0),
                "completion_rate": round(completed * 100 / enrolled, 1) if enrolled else None,
                "median_days_to_complete": _median_days(durations[course.pk]),
            }
        )
    return reports


def course_report(*, course: CoursePage) -> dict[str, Any]:
    """Numbers for one course, counting every enrolment (renewals and withdrawals included).

    ``enrolled`` (all enrolments), ``in_progress``, ``completed``, ``withdrawn``,
    ``completion_rate`` (completed as a percentage of enrolled, one decimal place; ``None``
    with no enrolments) and ``median_days_to_complete`` (from enrolling to completing, in
    days to one decimal place; ``None`` with no completions).
    """
    return course_reports(courses=[course])[0]


# Reflections.


def reflections_for(*, user: AbstractBaseUser) -> QuerySet[Reflection]:
    """The person's own reflections, most recently edited first, with their lessons."""
    return Reflection.objects.filter(user=user).select_related("lesson").order_by("-updated_at")


def reflection_prompt(*, lesson: LessonPage, block_id: str) -> StructValue | None:
    """The reflection block ``block_id`` in the lesson's body (``prompt``, ``guidance``)."""
    for child in lesson.body:
        if child.block_type == "reflection" and child.id == block_id:
            return child.value
    return None


def reflections_in_lesson(*, user: AbstractBaseUser, lesson: LessonPage) -> list[Reflection]:
    """The person's own reflections in one lesson."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Reflection.objects.filter(user=user, lesson=lesson))


def completions_for(*, user: AbstractBaseUser) -> QuerySet[CourseCompletion]:
    """The person's course completions, newest first (renewals each have their own)."""
    return CourseCompletion.objects.filter(user=user).select_related("course")
