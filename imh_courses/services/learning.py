"""Every change to enrolments, lesson progress, completions and reflections goes through here.

Each function runs in one transaction. Decisions that depend on a read lock the rows they
read first (``select_for_update``), and the database constraints back the locks up: one open
enrolment per person and course, one progress record per lesson and enrolment, one
completion per enrolment, one pathway completion per person and pathway. Problems a person
can fix raise ``ValidationError`` with a message fit to show them.

``course_completion_evaluate`` is the one place that decides a course is complete; call it
after any event that could finish a course (a lesson completed, attendance marked, an
assessment passed).
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext

from imh_assessments.selectors import (
    pages_with_required_activities,
    required_activities_outstanding,
)
from imh_assessments.selectors.required import required_activities
from imh_competencies.models import Evidence
from imh_competencies.selectors import page_competencies
from imh_competencies.services import evidence_record
from imh_core.formatting import and_list
from imh_core.people import person_name
from imh_courses.models import (
    CourseCompletion,
    CoursePage,
    Enrolment,
    LessonPage,
    LessonProgress,
    Pathway,
    PathwayCompletion,
    Reflection,
)
from imh_courses.selectors.learning import (
    course_lessons_visible,
    reflection_prompt,
    renewal_due,
    renewal_opens_on,
    sessions_attended,
    user_can_view_lessons,
)
from imh_courses.signals import course_completed, enrolment_started

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

REFLECTION_MAX_LENGTH = 10_000


# Helpers.


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved on by ``months`` calendar months, kept within the month it lands in.

    31 January plus one month is 28 (or 29) February, as people reckon expiry dates.
    """
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))


def _names(titles: Iterable[str]) -> str:
    """Course titles in quotes, joined as people write lists: “A”, “B” and “C”."""
    return and_list(f"“{title}”" for title in titles)


def _course_of(lesson: LessonPage) -> CoursePage | None:
    return CoursePage.objects.ancestor_of(lesson).first()


def _activities_gate(*, user: AbstractBaseUser, course: CoursePage, lesson: LessonPage) -> None:
    """Refuse to mark ``lesson`` complete while it holds a required activity not yet passed.

    A required quiz or H5P activity is what the lesson asks of the trainee: passing the
    last of them completes the lesson by itself (``lessons_complete_by_activities``), as a
    mature LMS's activity completion does, so the trainee's own "Mark as complete" is only
    for lessons with nothing left to pass. A course whose completion rule does not ask for
    assessments to be passed asks nothing of them here either.
    """
    if not course.require_assessments:
        return
    outstanding = [
        activity
        for activity in required_activities(user=user, page_ids=[lesson.pk])
        if not activity.passed
    ]
    if outstanding:
        labels = and_list([activity.label for activity in outstanding])
        raise ValidationError(
            gettext(
                "To complete “%(lesson)s”, pass %(activities)s. The lesson is marked as "
                "complete as soon as you do."
            )
            % {"lesson": lesson.title, "activities": labels},
            code="activities_outstanding",
        )


# Enrolment.


@transaction.atomic
def enrolment_create(
    *,
    user: AbstractBaseUser,
    course: CoursePage,
    assigned_by: AbstractBaseUser | None = None,
    due_on: datetime.date | None = None,
    overdue_allowed: bool = False,
) -> Enrolment:
    """Enrol ``user`` on ``course``, or assign it to them when ``assigned_by`` is given.

    Trainees may enrol themselves only where the course allows it; managers and educators may
    always assign (optionally with a due date, today or later). Both need the course's
    prerequisites completed. An open enrolment is returned as it is (an assignment takes it
    over: its assigner and due date are updated). After a completion, a new enrolment (the
    next cycle) is possible only for a course whose certificate expires, and trainees may
    start it themselves only once the renewal is due (see ``renewal_due``).

    A person picking a due date may not pick one in the past. ``overdue_allowed`` is for an
    employer's requirement that is already overdue (a rule applied to long-serving staff):
    the trainee should see that date, not none.
    """
    assigning = assigned_by is not None
    if due_on is not None and not overdue_allowed and due_on < timezone.localdate():
        raise ValidationError(
            {
                "due_on": ValidationError(
                    gettext("The due date must be today or later."), code="due_past"
                )
            }
        )
    if not course.live:
        raise ValidationError(
            gettext("“%(course)s” is not open for enrolment.") % {"course": course.title},
            code="course_not_published",
        )

    # Lock this person's enrolments on the course. When there are none, nothing is locked,
    # and a concurrent first enrolment is caught by the database constraints below.
    enrolments = list(
        Enrolment.objects.select_for_update().filter(user=user, course=course).order_by("-cycle")
    )
    active = next((e for e in enrolments if e.status == Enrolment.Status.ACTIVE), None)
    if active is not None:
        if assigning:
            _enrolment_assign(enrolment=active, assigned_by=assigned_by, due_on=due_on)
        return active

    if not assigning and not course.self_enrolment:
        raise ValidationError(
            gettext(
                "You cannot enrol yourself on “%(course)s”. Ask your manager or an educator "
                "to assign it to you."
            )
            % {"course": course.title},
            code="self_enrolment_closed",
        )
    completed = any(e.status == Enrolment.Status.COMPLETED for e in enrolments)
    if completed and not course.certificate_validity_months:
        if assigning:
            message = gettext(
                "%(name)s has already completed “%(course)s”. It does not need to be taken again."
            ) % {"name": person_name(user), "course": course.title}
        else:
            message = gettext(
                "You have already completed “%(course)s”. It does not need to be taken again."
            ) % {"course": course.title}
        raise ValidationError(message, code="already_completed")
    if completed and not assigning:
        _renewal_check(user=user, course=course, enrolments=enrolments)
    # Only published prerequisites count: nobody can complete one that is not.
    missing = list(
        CoursePage.objects.live()
        .filter(required_by=course)
        .exclude(pk__in=CourseCompletion.objects.filter(user=user).values("course_id"))
        .order_by("title")
        .values_list("title", flat=True)
    )
    if missing:
        if assigning:
            message = gettext(
                "%(name)s must complete %(courses)s before they can start “%(course)s”."
            ) % {"name": person_name(user), "courses": _names(missing), "course": course.title}
        else:
            message = gettext("Before you can enrol on “%(course)s”, complete %(courses)s.") % {
                "course": course.title,
                "courses": _names(missing),
            }
        raise ValidationError(message, code="prerequisites_missing")

    enrolment = Enrolment(
        user=user,
        course=course,
        status=Enrolment.Status.ACTIVE,
        source=Enrolment.Source.ASSIGNED if assigning else Enrolment.Source.SELF,
        assigned_by=assigned_by,
        due_on=due_on,
        enrolled_at=timezone.now(),
        cycle=enrolments[0].cycle + 1 if enrolments else 1,
    )
    # Uniqueness is the database's job (and its race to win); check everything else.
    enrolment.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            enrolment.save()
    except IntegrityError:
        # Someone else's request enrolled this person a moment ago: use that enrolment.
        active = Enrolment.objects.filter(
            user=user, course=course, status=Enrolment.Status.ACTIVE
        ).first()
        if active is None:
            raise
        if assigning:
            _enrolment_assign(enrolment=active, assigned_by=assigned_by, due_on=due_on)
        return active
    return enrolment


def _renewal_check(
    *, user: AbstractBaseUser, course: CoursePage, enrolments: list[Enrolment]
) -> None:
    """Trainees take a course again to renew its certificate, so not straight after completing
    it: only once the renewal is due. Managers and educators may assign it again at any time
    (an organisation's own renewal rule may start earlier)."""
    latest = next(e for e in enrolments if e.status == Enrolment.Status.COMPLETED)
    completion = CourseCompletion.objects.filter(enrolment=latest).first()
    if completion is None or renewal_due(course=course, completion=completion):
        return
    opens = renewal_opens_on(expires_on=completion.expires_on)
    raise ValidationError(
        gettext(
            "You have already completed “%(course)s”, and your certificate is valid until "
            "%(expires_on)s. You can take the course again to renew it from %(opens_on)s."
        )
        % {
            "course": course.title,
            "expires_on": _date_text(completion.expires_on),
            "opens_on": _date_text(opens),
        },
        code="renewal_not_due",
    )


def _date_text(day: datetime.date) -> str:
    # Month names in the language of the request.
    return date_format(day, "j F Y")


def _enrolment_assign(
    *, enrolment: Enrolment, assigned_by: AbstractBaseUser, due_on: datetime.date | None
) -> None:
    enrolment.assigned_by = assigned_by
    enrolment.source = Enrolment.Source.ASSIGNED
    fields = ["assigned_by", "source"]
    if due_on is not None:
        enrolment.due_on = due_on
        fields.append("due_on")
    enrolment.save(update_fields=fields)


# Progress.


@transaction.atomic
def lesson_complete(
    *, user: AbstractBaseUser, lesson: LessonPage, method: str = LessonProgress.Method.MANUAL
) -> LessonProgress:
    """Record that ``user`` completed ``lesson`` in their open enrolment, then see whether that
    completes the course.

    Completing a lesson twice returns the first record. So does completing it again just
    after it completed the course (a double click on the last lesson). Where the course asks
    for assessments to be passed, the trainee cannot mark a lesson complete (``method``
    "manual") while a required activity in it is not passed: ``ValidationError`` names what
    is left.
    """
    if method not in LessonProgress.Method.values:
        raise ValueError(f"Unknown completion method {method!r}.")
    course = _course_of(lesson)
    if course is None or not lesson.live:
        raise ValidationError(gettext("This lesson is not available."), code="lesson_unavailable")
    enrolment = (
        Enrolment.objects.select_for_update()
        .filter(user=user, course=course, status=Enrolment.Status.ACTIVE)
        .first()
    )
    if enrolment is None:
        earlier = (
            LessonProgress.objects.select_related("enrolment")
            .filter(
                lesson=lesson,
                enrolment__user=user,
                enrolment__status=Enrolment.Status.COMPLETED,
            )
            .order_by("-enrolment__cycle")
            .first()
        )
        if earlier is not None:
            return earlier
        if Enrolment.objects.filter(
            user=user, course=course, status=Enrolment.Status.COMPLETED
        ).exists():
            raise ValidationError(
                gettext("You have already completed “%(course)s”, so its lessons need no marking.")
                % {"course": course.title},
                code="course_completed",
            )
        raise ValidationError(
            gettext("Enrol on “%(course)s” before marking its lessons as complete.")
            % {"course": course.title},
            code="not_enrolled",
        )

    if method == LessonProgress.Method.MANUAL:
        _activities_gate(user=user, course=course, lesson=lesson)
    now = timezone.now()
    progress, _ = LessonProgress.objects.get_or_create(
        enrolment=enrolment, lesson=lesson, defaults={"completed_at": now, "method": method}
    )
    enrolment.last_lesson = lesson
    enrolment.last_activity_at = now
    enrolment.save(update_fields=["last_lesson", "last_activity_at"])
    course_completion_evaluate(enrolment=enrolment)
    progress.enrolment = enrolment
    return progress


def lessons_complete_by_activities(
    *, user: AbstractBaseUser, page_ids: Iterable[int]
) -> list[LessonProgress]:
    """Complete each of these lessons whose required activities ``user`` has now all passed.

    Called when a person passes a quiz or H5P activity (``imh_assessments.signals.activity_passed``
    names the pages it is placed on). Only live lessons holding at least one required activity,
    in a course the person is enrolled on now, are completed ("by activities"); a lesson with
    only optional activities is still marked complete by the trainee. Completing a lesson then
    evaluates the course, so a course whose rule asks for required assessments completes once
    the last one is passed. Pages that are not such lessons are ignored.
    """
    page_ids = list(page_ids)
    if not page_ids or not getattr(user, "is_authenticated", False):
        return []
    lessons = list(LessonPage.objects.live().filter(pk__in=page_ids).order_by("path"))
    if not lessons:
        return []
    enrolled_paths = list(
        Enrolment.objects.filter(user=user, status=Enrolment.Status.ACTIVE).values_list(
            "course__path", flat=True
        )
    )
    lessons = [
        lesson for lesson in lessons if any(lesson.path.startswith(path) for path in enrolled_paths)
    ]
    gated = pages_with_required_activities(page_ids=[lesson.pk for lesson in lessons])
    if not gated:
        return []
    outstanding = required_activities_outstanding(user=user, lesson_ids=gated)
    completed = []
    for lesson in lessons:
        if lesson.pk not in gated or lesson.pk in outstanding:
            continue
        try:
            completed.append(
                lesson_complete(user=user, lesson=lesson, method=LessonProgress.Method.ACTIVITIES)
            )
        except ValidationError:
            # The enrolment ended (or the lesson went) since the check above: nothing to do.
            continue
    return completed


def lesson_visit(
    *, user: AbstractBaseUser, lesson: LessonPage, enrolment: Enrolment | None = None
) -> int:
    """Remember ``lesson`` as where ``user`` left off in their open enrolment on its course.

    One UPDATE, whatever happens: the course is found by a subquery on the lesson's ancestors.
    Returns the number of enrolments changed (0 when the person is not enrolled).

    ``enrolment``, when the caller has just read it, tells whether this is the enrolment's
    first activity; if it is, ``enrolment_started`` is sent (the update sends no signal).
    """
    if not getattr(user, "is_authenticated", False):
        return 0
    changed = Enrolment.objects.filter(
        user=user,
        status=Enrolment.Status.ACTIVE,
        course__in=CoursePage.objects.ancestor_of(lesson).values("pk"),
    ).update(last_lesson=lesson, last_activity_at=timezone.now())
    if changed and enrolment is not None and enrolment.last_activity_at is None:
        enrolment_started.send(
            sender=Enrolment, user_id=enrolment.user_id, course_id=enrolment.course_id
        )
    return changed


# Completion.


@transaction.atomic
def course_completion_evaluate(*, enrolment: Enrolment) -> CourseCompletion | None:
    """Decide whether ``enrolment`` meets its course's completion rule; record it if so.

    The rule: every required lesson completed (when the course asks for that), no required
    activity outstanding (when it asks for that), and at least the course's number of live
    sessions attended, booked during this enrolment. On success, exactly one
    ``CourseCompletion`` is created with a snapshot of what the certificate states, the
    enrolment is marked completed, pathways the course belongs to are checked, and
    ``course_completed`` is sent once the transaction commits.

    Idempotent: returns the existing completion, or ``None`` while the rule is not met (and
    for withdrawn enrolments). The enrolment row is locked, so two calls at once for the same
    enrolment take turns; the one-to-one constraint catches anything that slips past.
    ``enrolment`` itself is updated with the new status.
    """
    locked = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("course", "user")
        .get(pk=enrolment.pk)
    )
    existing = CourseCompletion.objects.filter(enrolment=locked).first()
    if existing is not None or locked.status != Enrolment.Status.ACTIVE:
        enrolment.status, enrolment.completed_at = locked.status, locked.completed_at
        return existing

    course = locked.course
    lessons = course_lessons_visible(courses=[course])[course.pk]
    if course.require_all_lessons:
        required = {lesson.pk for lesson in lessons if lesson.required}
        done = set(
            LessonProgress.objects.filter(enrolment=locked).values_list("lesson_id", flat=True)
        )
        if required - done:
            return None
    if course.require_assessments and required_activities_outstanding(
        user=locked.user, lesson_ids=[lesson.pk for lesson in lessons]
    ):
        return None
    attended = sessions_attended(enrolment=locked)
    if len(attended) < course.required_live_sessions:
        return None

    now = timezone.now()
    months = course.certificate_validity_months
    completion = CourseCompletion(
        enrolment=locked,
        user_id=locked.user_id,
        course=course,
        completed_at=now,
        expires_on=add_months(timezone.localdate(now), months) if months else None,
        course_title=course.title,
        cpd_hours=course.cpd_hours,
        imh_level=course.imh_level,
        sessions_attended=[
            {
                "title": booking.session.title,
                "kind": booking.session.kind,
                "date": timezone.localdate(booking.session.starts_at).isoformat(),
                "starts_at": booking.session.starts_at.isoformat(),
            }
            for booking in attended
        ],
    )
    completion.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            completion.save()
    except IntegrityError:
        return CourseCompletion.objects.get(enrolment=locked)
    locked.status, locked.completed_at = Enrolment.Status.COMPLETED, now
    locked.save(update_fields=["status", "completed_at"])
    enrolment.status, enrolment.completed_at = locked.status, locked.completed_at

    _pathway_completions_record(user_id=locked.user_id, course=course, now=now)
    _completion_evidence_record(completion=completion, user=locked.user, course=course)

    def course_completed_send() -> None:
        course_completed.send(sender=CourseCompletion, completion=completion)

    # robust: the completion stands even if a receiver fails; the failure is logged (by the
    # callback's __qualname__, so a named function rather than functools.partial).
    transaction.on_commit(course_completed_send, robust=True)
    return completion


def _pathway_completions_record(*, user_id: int, course: CoursePage, now: datetime.datetime):
    """Record every active pathway with ``course`` whose courses the person has now all done."""
    pathways = list(
        Pathway.objects.filter(is_active=True, pathway_courses__course=course)
        .exclude(completions__user_id=user_id)
        .prefetch_related("pathway_courses")
        .distinct()
    )
    if not pathways:
        return
    done = set(CourseCompletion.objects.filter(user_id=user_id).values_list("course_id", flat=True))
    for pathway in pathways:
        if {link.course_id for link in pathway.pathway_courses.all()} <= done:
            PathwayCompletion.objects.get_or_create(
                user_id=user_id, pathway=pathway, defaults={"completed_at": now}
            )


def _completion_evidence_record(
    *, completion: CourseCompletion, user: AbstractBaseUser, course: CoursePage
) -> None:
    """Count the completion as evidence of the competencies the course page is mapped to."""
    mappings = list(page_competencies(page_ids=[course.pk]))
    if not mappings:
        return
    evidence_record(
        user=user,
        source=completion,
        kind=Evidence.Kind.COURSE,
        competencies=[(mapping.competency, mapping.level) for mapping in mappings],
        occurred_on=timezone.localdate(completion.completed_at),
        title=course.title,
        url=course.url or "",
    )


# Reflections.


@transaction.atomic
def reflection_save(
    *, user: AbstractBaseUser, lesson: LessonPage, block_id: str, text: str
) -> Reflection:
    """Save ``user``'s answer to the reflection prompt ``block_id`` in ``lesson``.

    The record is found by the person as well as the prompt, so nobody can reach anyone
    else's reflection. The prompt is kept with the answer, as it stood when answered.
    """
    block = reflection_prompt(lesson=lesson, block_id=block_id)
    if block is None:
        raise ValidationError(
            gettext(
                "This reflection question is no longer in the lesson. Copy your answer "
                "somewhere safe, then reload the lesson."
            ),
            code="unknown_prompt",
        )
    course = _course_of(lesson)
    if course is None or not user_can_view_lessons(user=user, course=course):
        raise ValidationError(
            gettext("Enrol on the course before saving reflections in its lessons."),
            code="not_enrolled",
        )
    # Browsers send line breaks as two characters but count them as one.
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError(
            {
                "text": ValidationError(
                    gettext("Write your reflection before saving it."), code="empty"
                )
            }
        )
    if len(text) > REFLECTION_MAX_LENGTH:
        raise ValidationError(
            {
                "text": ValidationError(
                    gettext(
                        "Your reflection must be %(limit)s characters or fewer. "
                        "It is %(length)s characters."
                    )
                    % {"limit": f"{REFLECTION_MAX_LENGTH:,}", "length": f"{len(text):,}"},
                    code="too_long",
                )
            }
        )
    reflection, _ = Reflection.objects.update_or_create(
        user=user,
        lesson=lesson,
        block_id=block_id,
        defaults={"prompt": block["prompt"], "text": text},
    )
    return reflection


def reflections_erase_for_user(*, user: AbstractBaseUser) -> int:
    """Delete every reflection ``user`` wrote, for account deletion; returns how many.

    Reflections are private writing, kept for nobody else, so nothing of them is left behind.
    """
    deleted, _by_model = Reflection.objects.filter(user=user).delete()
    return deleted
