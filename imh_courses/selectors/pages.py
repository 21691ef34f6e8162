"""Reads for the course page tree: outlines, lesson navigation, course lists, enrol states.

The course, module and lesson pages call these on every view, so each page makes a fixed
number of queries whatever the size of the course: the outline (with the person's ticks)
is one query of plain values, with no ``.specific`` per page, kept on the course instance
(which lives for one request) so the navigation, the progress bar and the ticks share it.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from wagtail.models import Page, PageViewRestriction

from imh_assessments.selectors.required import RequiredActivity, required_activities
from imh_certificates.selectors import certificates_for
from imh_courses.models import (
    CourseCompletion,
    CoursePage,
    Enrolment,
    LessonPage,
    LessonProgress,
    ModulePage,
)
from imh_courses.models.pages import ROUTE_ANCESTORS_ATTR
from imh_courses.selectors.learning import (
    enrolment_current,
    progress_figures,
    reflections_in_lesson,
    renewal_due,
    renewal_opens_on,
    sessions_attended,
    user_can_view_lessons,
)
from imh_courses.selectors.sessions import session_when_text, sessions_upcoming_for_course

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.db.models import QuerySet
    from django.http import HttpRequest

    from imh_certificates.models import Certificate
    from imh_courses.models import CourseIndexPage, LiveSession

# Kept on the course instance for the rest of the request.
_OUTLINE_ATTR = "_courses_outlines"


# The outline.


@dataclass(frozen=True, slots=True)
class OutlineLesson:
    """A live, public lesson as the outline and the lesson navigation need it."""

    id: int
    title: str
    url: str
    estimated_minutes: int
    required: bool
    module_id: int
    number: int  # position in the whole course, from 1
    completed: bool = False  # by the enrolment the outline was read for

    @property
    def length_text(self) -> str:
        """The hint under each lesson in the outline: "20 minutes", "1 minute, optional"."""
        text = ngettext("%(count)s minute", "%(count)s minutes", self.estimated_minutes) % {
            "count": self.estimated_minutes
        }
        return text if self.required else gettext("%(length)s, optional") % {"length": text}

    def __getitem__(self, name: str) -> Any:
        # Django templates try ``obj[name]`` before ``getattr``; answering it spares a raised
        # and caught exception for every lookup in a long outline.
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None


@dataclass(slots=True)
class OutlineModule:
    """A live, public module and its live, public lessons, in page-tree order."""

    id: int
    title: str
    summary: str
    url: str
    path: str
    number: int
    lessons: list[OutlineLesson] = field(default_factory=list)

    __getitem__ = OutlineLesson.__getitem__


@functools.cache
def _outline_sql() -> str:
    """The outline query, in SQL that SQLite, PostgreSQL and MySQL all read.

    Written out because it runs on every course, module and lesson page, and the ORM took
    several times longer to compile it (two reverse one-to-one joins, a correlated
    subquery and an outer join) than the database took to run it. A row is left out when
    it, or its module, carries a view restriction. Treebeard paths hold only [0-9A-Z], so
    the LIKE prefix needs no escaping.
    """
    quote = connection.ops.quote_name
    page = quote(Page._meta.db_table)
    module = quote(ModulePage._meta.db_table)
    lesson = quote(LessonPage._meta.db_table)
    progress = quote(LessonProgress._meta.db_table)
    restriction = quote(PageViewRestriction._meta.db_table)
    module_link = quote(ModulePage._meta.pk.column)
    lesson_link = quote(LessonPage._meta.pk.column)
    required = quote(LessonPage._meta.get_field("required").column)
    # Only table and column names from the models go into the string; values are parameters.
    return (
        f"SELECT p.id, p.title, p.path, p.url_path, p.content_type_id, m.summary, "  # noqa: S608
        f"l.estimated_minutes, l.{required}, lp.id "
        f"FROM {page} p "
        f"LEFT JOIN {module} m ON m.{module_link} = p.id "
        f"LEFT JOIN {lesson} l ON l.{lesson_link} = p.id "
        f"LEFT JOIN {progress} lp ON lp.lesson_id = p.id AND lp.enrolment_id = %s "
        f"WHERE p.path LIKE %s AND p.depth IN (%s, %s) AND p.live "
        f"AND p.content_type_id IN (%s, %s) "
        f"AND NOT EXISTS (SELECT 1 FROM {restriction} r JOIN {page} rp ON rp.id = r.page_id "
        f"WHERE rp.path = p.path OR rp.path = SUBSTR(p.path, 1, %s)) "
        f"ORDER BY p.path"
    )


def course_outline(
    *,
    course: CoursePage,
    request: HttpRequest | None = None,
    enrolment: Enrolment | None = None,
) -> list[OutlineModule]:
    """The course's live, public modules, each with its live, public lessons, in tree order.

    One query. With ``enrolment``, each lesson says whether that enrolment completed it.
    Lessons under a draft or private module are left out with it; a view restriction on
    the course itself (or above) is the course page's own business, already passed by
    whoever sees the course, so it hides nothing here. Kept on ``course`` for the request.
    """
    enrolment_id = enrolment.pk if enrolment is not None else None
    outlines = course.__dict__.setdefault(_OUTLINE_ATTR, {})
    if enrolment_id in outlines:
        return outlines[enrolment_id]
    if not course.path or not course.depth:
        return []  # not in the tree yet

    content_types = ContentType.objects.get_for_models(ModulePage, LessonPage)
    module_type = content_types[ModulePage].pk
    lesson_type = content_types[LessonPage].pk
    module_path_length = Page.steplen * (course.depth + 1)
    with connection.cursor() as cursor:
        cursor.execute(
            _outline_sql(),
            [
                enrolment_id or 0,  # no enrolment: no progress row matches
                course.path + "%",
                course.depth + 1,
                course.depth + 2,
                module_type,
                lesson_type,
                module_path_length,
            ],
        )
        rows = cursor.fetchall()

    # Lessons' addresses follow from the course's: no per-page URL lookups.
    course_url = course.get_url(request) or ""
    prefix_length = len(course.url_path)
    modules: list[OutlineModule] = []
    current: OutlineModule | None = None
    lesson_number = 0
    for page_id, title, path, url_path, type_id, summary, minutes, required, done in rows:
        url = course_url + url_path[prefix_length:]
        if type_id == module_type:
            current = OutlineModule(
                id=page_id,
                title=title,
                summary=summary or "",
                url=url,
                path=path,
                number=len(modules) + 1,
            )
            modules.append(current)
        elif current is not None and path[:module_path_length] == current.path:
            lesson_number += 1
            current.lessons.append(
                OutlineLesson(
                    id=page_id,
                    title=title,
                    url=url,
                    estimated_minutes=minutes,
                    required=bool(required),
                    module_id=current.id,
                    number=lesson_number,
                    completed=done is not None,
                )
            )
        # Otherwise the lesson's module is a draft or private: the lesson goes with it.
    outlines[enrolment_id] = modules
    return modules


def outline_lessons(modules: list[OutlineModule]) -> list[OutlineLesson]:
    """Every lesson of an outline, in order."""
    return [lesson for module in modules for lesson in module.lessons]


def outline_fingerprint(modules: list[OutlineModule], *, enrolled: bool) -> str:
    """A digest of everything the rendered outline shows, to key its cached HTML.

    Rendering 50 lessons costs the course page more than all its queries; the HTML is
    cached under this digest, so any change to a title, link, length, tick or to whether
    the person is enrolled is a different key and never shows stale.
    """
    return hashlib.md5(repr((enrolled, modules)).encode(), usedforsecurity=False).hexdigest()


def outline_progress(
    *,
    modules: list[OutlineModule],
    enrolment: Enrolment,
    course: CoursePage | None = None,
    activities: list[RequiredActivity] | None = None,
    attended: int = 0,
) -> dict[str, Any]:
    """How far ``enrolment`` has got, figured on its outline: no query of its own.

    The same figures by the same rule as ``imh_courses.selectors.learning.course_progress``
    (a test holds the two to the same answers), whose own read of the course's lessons
    would cost the course page as much as the rest of it; ``next_lesson`` is an
    ``OutlineLesson`` here. ``modules`` must be the outline read for ``enrolment``;
    ``activities`` and ``attended`` come from ``enrolment_requirements``.
    """
    lessons = outline_lessons(modules)
    return progress_figures(
        enrolment=enrolment,
        course=course or enrolment.course,
        lessons=lessons,
        done={lesson.id for lesson in lessons if lesson.completed},
        activities=activities or [],
        attended=attended,
    )


def enrolment_requirements(
    *,
    user: AbstractBaseUser | AnonymousUser,
    course: CoursePage,
    enrolment: Enrolment | None,
    lessons: list[OutlineLesson],
) -> tuple[list[RequiredActivity], int]:
    """The required activities on ``lessons`` with the person's passes (when the course asks
    for them to be passed), and the number of live sessions they have attended that count,
    for an open enrolment (at most six queries).

    Nothing for anyone else: a completed course stays complete whatever its lessons hold now.
    """
    if enrolment is None or enrolment.status != Enrolment.Status.ACTIVE:
        return [], 0
    activities = []
    if course.require_assessments:
        activities = required_activities(user=user, page_ids=[lesson.id for lesson in lessons])
    attended = len(sessions_attended(enrolment=enrolment)) if course.required_live_sessions else 0
    return activities, attended


def outline_unticked(
    modules: list[OutlineModule], activities: list[RequiredActivity]
) -> list[OutlineModule]:
    """The outline with no tick on a lesson that still holds a required activity not passed.

    Such a lesson is not done, whatever was recorded (see ``progress_figures``), so the
    outline must not say it is. The outline read for the request is left as it was.
    """
    blocked = {activity.page_id for activity in activities if not activity.passed}
    if not any(lesson.completed and lesson.id in blocked for lesson in outline_lessons(modules)):
        return modules
    return [
        dataclasses.replace(
            module,
            lessons=[
                dataclasses.replace(lesson, completed=False)
                if lesson.completed and lesson.id in blocked
                else lesson
                for lesson in module.lessons
            ],
        )
        for module in modules
    ]


def lesson_course(*, page: LessonPage | ModulePage) -> CoursePage | None:
    """The course a lesson or module belongs to, in one query (``None`` for unsaved pages)."""
    if not page.path or not page.depth:
        return None
    levels = 2 if isinstance(page, LessonPage) else 1
    path = page.path[: Page.steplen * (page.depth - levels)]
    return CoursePage.objects.filter(path=path).first()


def lesson_neighbours(
    *,
    lesson: LessonPage,
    course: CoursePage | None = None,
    request: HttpRequest | None = None,
    enrolment: Enrolment | None = None,
) -> tuple[OutlineLesson | None, OutlineLesson | None]:
    """The previous and next live, public lessons of the course, across modules.

    Reuses the course's outline (no query when the page has read it for the same
    enrolment). A lesson not in the outline (a draft being previewed, say) has none.
    """
    course = course or lesson_course(page=lesson)
    if course is None:
        return None, None
    lessons = outline_lessons(course_outline(course=course, request=request, enrolment=enrolment))
    for index, entry in enumerate(lessons):
        if entry.id == lesson.pk:
            previous = lessons[index - 1] if index > 0 else None
            following = lessons[index + 1] if index + 1 < len(lessons) else None
            return previous, following
    return None, None


def lesson_completed(*, enrolment: Enrolment, lesson: LessonPage) -> bool:
    """Whether the enrolment has completed this one lesson."""
    return LessonProgress.objects.filter(enrolment=enrolment, lesson=lesson).exists()


# Courses, prerequisites and enrolling.


def courses_listed(*, index: CourseIndexPage) -> QuerySet[CoursePage]:
    """The live, public courses of a courses area, in the editors' order."""
    return CoursePage.objects.child_of(index).live().public().order_by("path")


def course_prerequisites(*, course: CoursePage, preview: bool = False) -> list[CoursePage]:
    """The course's live prerequisites, in title order (one query).

    In a preview, the ones chosen in the editor, saved or not.
    """
    if preview or course.pk is None:
        return sorted(
            (required for required in course.prerequisites.all() if required.live),
            key=lambda required: required.title,
        )
    return list(CoursePage.objects.filter(required_by=course, live=True).order_by("title"))


@dataclass(frozen=True, slots=True)
class EnrolOption:
    """Whether the person may enrol themselves, and if not, why (for the course page)."""

    can_enrol: bool
    reason: str = ""  # "login", "prerequisites", "closed", or "" when they can enrol
    missing_prerequisites: tuple[CoursePage, ...] = ()


def enrol_option(
    *,
    user: AbstractBaseUser | AnonymousUser,
    course: CoursePage,
    prerequisites: list[CoursePage],
) -> EnrolOption:
    """Whether ``user`` may enrol on ``course`` themselves, for someone not enrolled now.

    The same rules ``enrolment_create`` applies (which has the last word): self-enrolment
    open, and every prerequisite completed at some time, however long ago.
    """
    if not user.is_authenticated:
        return EnrolOption(can_enrol=False, reason="login")
    if not course.self_enrolment:
        return EnrolOption(can_enrol=False, reason="closed")
    if prerequisites:
        completed = set(
            CourseCompletion.objects.filter(
                user=user, course__in=[required.pk for required in prerequisites]
            ).values_list("course_id", flat=True)
        )
        missing = tuple(required for required in prerequisites if required.pk not in completed)
        if missing:
            return EnrolOption(
                can_enrol=False, reason="prerequisites", missing_prerequisites=missing
            )
    return EnrolOption(can_enrol=True)


def enrolment_completion(*, enrolment: Enrolment | None) -> CourseCompletion | None:
    """The completion record of a completed enrolment (its date and certificate expiry)."""
    if enrolment is None or enrolment.status != Enrolment.Status.COMPLETED:
        return None
    return CourseCompletion.objects.filter(enrolment=enrolment).first()


def completion_certificate(
    *, user: AbstractBaseUser | AnonymousUser, completion: CourseCompletion | None
) -> Certificate | None:
    """The certificate issued to ``user`` for ``completion``, once it has been (one query).

    It is issued just after the completion commits, so for a moment there may be none yet.
    """
    if completion is None or not user.is_authenticated or completion.user_id != user.pk:
        return None
    return (
        certificates_for(user=user)
        .filter(source_type=CourseCompletion._meta.label_lower, source_id=completion.pk)
        .first()
    )


# What the course, module and lesson pages show a particular person.


@dataclass(frozen=True, slots=True)
class UpcomingSession:
    session: LiveSession
    when: str
    places_left: int


def _upcoming_sessions(course: CoursePage) -> list[UpcomingSession]:
    return [
        UpcomingSession(
            session=session,
            when=session_when_text(session=session),
            places_left=session.places_left,
        )
        for session in sessions_upcoming_for_course(course=course)
    ]


def _user(request: HttpRequest) -> AbstractBaseUser | AnonymousUser:
    return getattr(request, "user", None) or AnonymousUser()


def _preview_mode(request: HttpRequest) -> str | None:
    """The preview mode when Wagtail is previewing the page, ``None`` when serving it."""
    if not getattr(request, "is_preview", False):
        return None
    return getattr(request, "preview_mode", "") or ""


def _may_edit(user: AbstractBaseUser | AnonymousUser, page: Page) -> bool:
    """Educators and editors who may change the page read it without enrolling."""
    if not user.is_authenticated or not user.has_perm("wagtailadmin.access_admin"):
        return False
    return page.permissions_for_user(user).can_edit()


def _is_enrolled(enrolment: Enrolment | None) -> bool:
    return enrolment is not None and enrolment.status in (
        Enrolment.Status.ACTIVE,
        Enrolment.Status.COMPLETED,
    )


def _lessons_visible(
    *,
    user: AbstractBaseUser | AnonymousUser,
    course: CoursePage,
    page: Page,
    request: HttpRequest,
    enrolment: Enrolment | None,
) -> bool:
    """Whether the person may read lesson bodies: enrolled, an editor, or an editor's preview."""
    mode = _preview_mode(request)
    if mode is not None:
        return mode != "not_enrolled"
    if _is_enrolled(enrolment):
        return True  # what user_can_view_lessons says, without asking the database again
    return user_can_view_lessons(user=user, course=course) or _may_edit(user, page)


def _login_url(request: HttpRequest) -> str:
    return f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}"


def _resume_lesson(
    *, lessons: list[OutlineLesson], enrolment: Enrolment | None
) -> OutlineLesson | None:
    """Where "Continue" leads, as on My learning: the lesson last opened unless it is done,
    else the first lesson not done yet, else the first lesson."""
    if not lessons or enrolment is None or enrolment.status != Enrolment.Status.ACTIVE:
        return None
    last = next((lesson for lesson in lessons if lesson.id == enrolment.last_lesson_id), None)
    if last is not None and not last.completed:
        return last
    return next((lesson for lesson in lessons if not lesson.completed), lessons[0])


def _crumbs(
    page: Page, request: HttpRequest, *pages: CoursePage | OutlineModule | None
) -> list[tuple[str, str]]:
    """Breadcrumbs: the pages routing came through, then the course (and module).

    A page not reached by routing (a preview, perhaps of a page not saved yet) reads its
    ancestors from the tree by path instead: one query.
    """
    ancestors = getattr(page, ROUTE_ANCESTORS_ATTR, None)
    if ancestors is not None:
        crumbs = [(ancestor.title, ancestor.get_url(request)) for ancestor in ancestors]
        for item in pages:
            if item is not None:
                url = item.url if isinstance(item, OutlineModule) else item.get_url(request)
                crumbs.append((item.title, url))
        return crumbs
    if not page.path or not page.depth:
        return []
    # Below the tree's root, as the layout's own breadcrumbs do.
    paths = [page.path[: Page.steplen * depth] for depth in range(2, page.depth)]
    return [
        (ancestor.title, ancestor.get_url(request))
        for ancestor in Page.objects.filter(path__in=paths).order_by("path")
    ]


def course_page_state(*, course: CoursePage, request: HttpRequest) -> dict[str, Any]:
    """Everything the course page shows the person looking at it, in a fixed number of queries."""
    user = _user(request)
    saved = course.pk is not None  # a new course being previewed is not
    enrolment = None
    if saved and user.is_authenticated:
        enrolment = enrolment_current(user=user, course=course)
    modules = course_outline(course=course, request=request, enrolment=enrolment)
    lessons = outline_lessons(modules)
    activities, attended = enrolment_requirements(
        user=user, course=course, enrolment=enrolment, lessons=lessons
    )
    modules = outline_unticked(modules, activities)
    lessons = outline_lessons(modules)
    progress = (
        outline_progress(
            modules=modules,
            enrolment=enrolment,
            course=course,
            activities=activities,
            attended=attended,
        )
        if enrolment
        else None
    )
    completion = enrolment_completion(enrolment=enrolment)
    prerequisites = course_prerequisites(course=course, preview=_preview_mode(request) is not None)
    active = enrolment is not None and enrolment.status == Enrolment.Status.ACTIVE
    # A completed course can be taken again only to renew a certificate that expires, and
    # only once the renewal is due: not straight after completing it.
    renewal = completion is not None and renewal_due(course=course, completion=completion)
    renewal_opens = None
    if completion is not None and completion.expires_on and course.certificate_validity_months:
        renewal_opens = renewal_opens_on(expires_on=completion.expires_on)
    option = None
    if not active and (completion is None or renewal):
        option = enrol_option(user=user, course=course, prerequisites=prerequisites)
    return {
        "course": course,
        "modules": modules,
        "outline_key": outline_fingerprint(modules, enrolled=_is_enrolled(enrolment)),
        "lesson_count": len(lessons),
        "enrolment": enrolment,
        "enrolled": _is_enrolled(enrolment),
        "progress": progress,
        "completion": completion,
        "certificate": completion_certificate(user=user, completion=completion),
        "overdue": active
        and enrolment.due_on is not None
        and enrolment.due_on < timezone.localdate(),
        "resume_lesson": _resume_lesson(lessons=lessons, enrolment=enrolment),
        "enrol": option,
        "renewal": renewal,
        "renewal_opens_on": renewal_opens,
        "certificate_expired": completion is not None
        and completion.expires_on is not None
        and completion.expires_on < timezone.localdate(),
        "prerequisites": prerequisites,
        "login_url": _login_url(request),
        "sessions": _upcoming_sessions(course) if saved else [],
        "crumbs": _crumbs(course, request),
    }


def module_page_state(*, module: ModulePage, request: HttpRequest) -> dict[str, Any]:
    """The module's lessons, with ticks for the person's completed ones."""
    user = _user(request)
    course = lesson_course(page=module)
    if course is None:
        return {"course": None, "module_lessons": [], "crumbs": _crumbs(module, request)}
    enrolment = enrolment_current(user=user, course=course) if user.is_authenticated else None
    modules = course_outline(course=course, request=request, enrolment=enrolment)
    entry = next((item for item in modules if item.id == module.pk), None)
    if entry is not None:
        activities, _ = enrolment_requirements(
            user=user, course=course, enrolment=enrolment, lessons=entry.lessons
        )
        entry = outline_unticked([entry], activities)[0]
    return {
        "course": course,
        "module_lessons": entry.lessons if entry else [],
        "module_number": entry.number if entry else None,
        "enrolment": enrolment,
        "enrolled": _is_enrolled(enrolment),
        "crumbs": _crumbs(module, request, course),
    }


def lesson_page_state(*, lesson: LessonPage, request: HttpRequest) -> dict[str, Any]:
    """What the lesson page shows: the body only to those who may read it, and the navigation."""
    user = _user(request)
    course = lesson_course(page=lesson)
    if course is None:
        # An unsaved lesson being previewed: there is no course to check against yet.
        mode = _preview_mode(request)
        visible = mode is not None and mode != "not_enrolled"
        return {
            "course": None,
            "lessons_visible": visible,
            "body_blocks": _body(lesson, {}) if visible else [],
            "crumbs": _crumbs(lesson, request),
        }

    enrolment = None
    if user.is_authenticated and _preview_mode(request) is None:
        enrolment = enrolment_current(user=user, course=course)
    modules = course_outline(course=course, request=request, enrolment=enrolment)
    lessons = outline_lessons(modules)
    entry = next((item for item in lessons if item.id == lesson.pk), None)
    previous, following = lesson_neighbours(
        lesson=lesson, course=course, request=request, enrolment=enrolment
    )
    module = next((item for item in modules if lesson.path.startswith(item.path)), None)
    enrolled = _is_enrolled(enrolment)
    visible = _lessons_visible(
        user=user, course=course, page=lesson, request=request, enrolment=enrolment
    )
    if not enrolled:
        completed = False
    elif entry is not None:
        completed = entry.completed
    else:  # served, but left out of the outline (behind its own password, say)
        completed = lesson_completed(enrolment=enrolment, lesson=lesson)
    # What stands between an open enrolment and completing this lesson; a lesson recorded
    # as complete before a required activity was added to it is not complete any more.
    activities_outstanding: list[RequiredActivity] = []
    if (
        visible
        and course.require_assessments
        and enrolment is not None
        and enrolment.status == Enrolment.Status.ACTIVE
    ):
        activities_outstanding = [
            activity
            for activity in required_activities(user=user, page_ids=[lesson.pk])
            if not activity.passed
        ]
        completed = completed and not activities_outstanding
    completion = enrolment_completion(enrolment=enrolment) if visible else None
    reflections_open = visible and enrolled
    saved: dict[str, str] = {}
    if reflections_open and any(block.block_type == "reflection" for block in lesson.body):
        saved = {
            reflection.block_id: reflection.text
            for reflection in reflections_in_lesson(user=user, lesson=lesson)
        }
    return {
        "course": course,
        "module": module,
        "lesson_number": entry.number if entry else None,
        "lesson_count": len(lessons),
        "previous_lesson": previous,
        "next_lesson": following,
        "enrolment": enrolment,
        "enrolled": enrolled,
        "lesson_completed": completed,
        "activities_outstanding": activities_outstanding,
        "completion": completion,
        "certificate": completion_certificate(user=user, completion=completion),
        "lessons_visible": visible,
        # Activity blocks read it: they need not be passed on this course.
        "activities_optional": not course.require_assessments,
        "reflections_open": reflections_open,
        "body_blocks": _body(lesson, saved) if visible else [],
        "login_url": _login_url(request),
        "crumbs": _crumbs(lesson, request, course, module),
    }


@dataclass(frozen=True, slots=True)
class LessonStanding:
    """Where a person stands on one lesson: for the lesson page's script after an activity."""

    course: CoursePage
    enrolment: Enrolment
    lesson_completed: bool
    activities_outstanding: list[RequiredActivity]
    completion: CourseCompletion | None
    certificate: Certificate | None


def lesson_standing(
    *, user: AbstractBaseUser | AnonymousUser, lesson: LessonPage
) -> LessonStanding | None:
    """Whether ``user`` has completed ``lesson`` (and its course), and what it still asks.

    ``None`` for someone not enrolled on the lesson's course (nor having completed it).
    """
    course = lesson_course(page=lesson)
    if course is None or not user.is_authenticated:
        return None
    enrolment = enrolment_current(user=user, course=course)
    if enrolment is None:
        return None
    completion = enrolment_completion(enrolment=enrolment)
    outstanding = []
    if course.require_assessments and enrolment.status == Enrolment.Status.ACTIVE:
        outstanding = [
            activity
            for activity in required_activities(user=user, page_ids=[lesson.pk])
            if not activity.passed
        ]
    return LessonStanding(
        course=course,
        enrolment=enrolment,
        lesson_completed=not outstanding and lesson_completed(enrolment=enrolment, lesson=lesson),
        activities_outstanding=outstanding,
        completion=completion,
        certificate=completion_certificate(user=user, completion=completion),
    )


def _body(lesson: LessonPage, saved: dict[str, str]) -> list[tuple[Any, str]]:
    """The lesson's blocks, each with the person's saved answer if it is a reflection."""
    return [(block, saved.get(block.id, "")) for block in lesson.body]
