"""Competency coverage: which of a framework's competencies a course's content develops.

Educators map the course page, modules, lessons, quiz questions, H5P activities and live
sessions to competencies at a level; the matrix shows every competency of a framework
against that content, so gaps ("not covered") stand out. Each read makes a fixed number of
queries whatever the size of the course or the number of courses.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext, gettext_lazy
from wagtail.models import Page

from imh_assessments.selectors import activities_placed
from imh_assessments.selectors.coverage import activity_competency_mappings
from imh_competencies.models import Competency, PageCompetency
from imh_courses.models import CoursePage, LessonPage, LiveSessionCompetency, ModulePage

if TYPE_CHECKING:
    from imh_competencies.models import Area, Framework

# The groups of columns, in the order the matrix shows them.
GROUP_COURSE = gettext_lazy("Course")
GROUP_PAGES = gettext_lazy("Modules and lessons")
GROUP_ACTIVITIES = gettext_lazy("Quiz questions and H5P activities")
GROUP_SESSIONS = gettext_lazy("Live sessions")
GROUP_COURSES = gettext_lazy("Courses")


@dataclass
class CoverageColumn:
    """A piece of content, and the level it is mapped to for each competency id."""

    key: str
    label: str
    group: str
    kind: str  # "course", "module", "lesson", "quiz", "h5p", "session"
    detail: str = ""
    levels: dict[int, int] = field(default_factory=dict)


@dataclass
class CoverageRow:
    competency: Competency
    cells: list[int | None]
    labels: list[str] = field(default_factory=list)  # each cell's level by its name

    @property
    def covered(self) -> bool:
        return any(self.cells)

    @property
    def highest(self) -> int | None:
        return max((cell for cell in self.cells if cell), default=None)


@dataclass
class CoverageArea:
    area: Area
    rows: list[CoverageRow]


@dataclass
class CoverageMatrix:
    framework: Framework
    columns: list[CoverageColumn]
    areas: list[CoverageArea]

    @property
    def rows(self) -> list[CoverageRow]:
        return [row for area in self.areas for row in area.rows]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def uncovered(self) -> int:
        return sum(1 for row in self.rows if not row.covered)

    @property
    def column_groups(self) -> list[tuple[str, int]]:
        """Consecutive column groups and how many columns each spans."""
        groups: list[tuple[str, int]] = []
        for column in self.columns:
            if groups and groups[-1][0] == column.group:
                groups[-1] = (column.group, groups[-1][1] + 1)
            else:
                groups.append((column.group, 1))
        return groups

    def level_label(self, level: int | None) -> str:
        return self.framework.level_label(level) if level else ""


def _matrix(*, framework: Framework, columns: list[CoverageColumn]) -> CoverageMatrix:
    competencies = Competency.objects.filter(framework=framework).select_related("area")
    areas: dict[int, CoverageArea] = {}
    for competency in competencies:
        area = areas.get(competency.area_id)
        if area is None:
            area = areas[competency.area_id] = CoverageArea(area=competency.area, rows=[])
        cells = [column.levels.get(competency.pk) for column in columns]
        area.rows.append(
            CoverageRow(
                competency=competency,
                cells=cells,
                labels=[framework.level_label(level) if level else "" for level in cells],
            )
        )
    return CoverageMatrix(framework=framework, columns=columns, areas=list(areas.values()))


def _page_levels(*, framework: Framework, page_ids: list[int]) -> dict[int, dict[int, int]]:
    """{page id: {competency id: level}} for this framework's competencies (one query)."""
    levels: dict[int, dict[int, int]] = defaultdict(dict)
    for page_id, competency_id, level in PageCompetency.objects.filter(
        page_id__in=page_ids, competency__framework=framework
    ).values_list("page_id", "competency_id", "level"):
        levels[page_id][competency_id] = level
    return levels


def course_coverage(*, framework: Framework, course: CoursePage) -> CoverageMatrix:
    """The framework's competencies (by area) against the course's content.

    Columns: the course page; each module and lesson (drafts too, marked as such); each
    question of the quizzes and each H5P activity placed on the course's published lessons;
    each live session of the course. Cells hold the level mapped. About ten queries.
    """
    pages = list(
        Page.objects.filter(path__startswith=course.path, depth__gt=course.depth)
        .filter(depth__lte=course.depth + 2)
        .order_by("path")
        .values("pk", "title", "depth", "live", "content_type_id")
    )
    lesson_type = ContentType.objects.get_for_model(LessonPage)
    module_type = ContentType.objects.get_for_model(ModulePage)
    pages = [page for page in pages if page["content_type_id"] in (lesson_type.pk, module_type.pk)]
    page_levels = _page_levels(framework=framework, page_ids=[course.pk, *(p["pk"] for p in pages)])

    columns = [
        CoverageColumn(
            key=f"page-{course.pk}",
            label=course.title,
            group=GROUP_COURSE,
            kind="course",
            levels=page_levels.get(course.pk, {}),
        )
    ]
    for page in pages:
        is_lesson = page["content_type_id"] == lesson_type.pk
        columns.append(
            CoverageColumn(
                key=f"page-{page['pk']}",
                label=page["title"],
                group=GROUP_PAGES,
                kind="lesson" if is_lesson else "module",
                detail=(gettext("Lesson") if is_lesson else gettext("Module"))
                + ("" if page["live"] else " " + gettext("(draft)")),
                levels=page_levels.get(page["pk"], {}),
            )
        )

    lesson_titles = {
        page["pk"]: page["title"] for page in pages if page["content_type_id"] == lesson_type.pk
    }
    placements = activities_placed(page_ids=list(lesson_titles))
    # Placements come ordered by page id; show them in the order of the course outline.
    outline_position = {page_id: index for index, page_id in enumerate(lesson_titles)}
    placements.sort(key=lambda placement: outline_position[placement.page_id])
    placed_in: dict[tuple[str, int], str] = {}
    for placement in placements:
        placed_in.setdefault(
            (placement.activity_type, placement.activity_id), lesson_titles[placement.page_id]
        )
    activities = activity_competency_mappings(
        quiz_ids=[activity_id for kind, activity_id in placed_in if kind == "quiz"],
        h5p_ids=[activity_id for kind, activity_id in placed_in if kind == "h5p"],
    )
    for activity in activities:
        lesson = placed_in.get((activity.activity_type, activity.activity_id), "")
        kind_label = (
            gettext("Quiz question")
            if activity.activity_type == "quiz"
            else gettext("H5P activity")
        )
        columns.append(
            CoverageColumn(
                key=activity.key,
                label=activity.label,
                group=GROUP_ACTIVITIES,
                kind=activity.activity_type,
                detail=gettext("%(kind)s in %(lesson)s") % {"kind": kind_label, "lesson": lesson}
                if lesson
                else kind_label,
                levels=activity.levels,
            )
        )

    session_levels: dict[int, dict[int, int]] = defaultdict(dict)
    for session_id, competency_id, level in LiveSessionCompetency.objects.filter(
        session__course=course, competency__framework=framework
    ).values_list("session_id", "competency_id", "level"):
        session_levels[session_id][competency_id] = level
    for session in course.live_sessions.order_by("starts_at", "pk"):
        columns.append(
            CoverageColumn(
                key=f"session-{session.pk}",
                label=session.title,
                group=GROUP_SESSIONS,
                kind="session",
                detail=session.get_kind_display()
                + (" (cancelled)" if session.status == session.Status.CANCELLED else ""),
                levels=session_levels.get(session.pk, {}),
            )
        )
    return _matrix(framework=framework, columns=columns)


def framework_coverage(*, framework: Framework) -> CoverageMatrix:
    """The framework's competencies against every course: the highest level any of a
    course's content (its pages, placed activities, live sessions) is mapped to.

    A fixed number of queries whatever the number of courses.
    """
    courses = list(CoursePage.objects.order_by("title", "pk").only("pk", "title", "path", "live"))
    columns = [
        CoverageColumn(
            key=f"course-{course.pk}",
            label=course.title,
            group=GROUP_COURSES,
            kind="course",
            detail="" if course.live else gettext("Draft"),
        )
        for course in courses
    ]
    by_course = {course.pk: column for course, column in zip(courses, columns, strict=True)}
    course_paths = sorted(((course.path, course.pk) for course in courses), reverse=True)

    def course_of(path: str) -> int | None:
        for course_path, course_id in course_paths:
            if path.startswith(course_path):
                return course_id
        return None

    def note(course_id: int | None, competency_id: int, level: int) -> None:
        if course_id is None:
            return
        levels = by_course[course_id].levels
        levels[competency_id] = max(level, levels.get(competency_id, 0))

    if not courses:
        return _matrix(framework=framework, columns=columns)

    page_mappings = PageCompetency.objects.filter(competency__framework=framework).values_list(
        "page__path", "competency_id", "level"
    )
    for path, competency_id, level in page_mappings:
        note(course_of(path), competency_id, level)

    lesson_paths = dict(
        LessonPage.objects.filter(live=True).values_list("pk", "path")
    )  # placements exist only on live pages
    placements = activities_placed(page_ids=list(lesson_paths))
    courses_of_activity: dict[tuple[str, int], set[int]] = defaultdict(set)
    for placement in placements:
        course_id = course_of(lesson_paths[placement.page_id])
        if course_id is not None:
            courses_of_activity[(placement.activity_type, placement.activity_id)].add(course_id)
    activities = activity_competency_mappings(
        quiz_ids=[activity_id for kind, activity_id in courses_of_activity if kind == "quiz"],
        h5p_ids=[activity_id for kind, activity_id in courses_of_activity if kind == "h5p"],
    )
    for activity in activities:
        for course_id in courses_of_activity[(activity.activity_type, activity.activity_id)]:
            for competency_id, level in activity.levels.items():
                note(course_id, competency_id, level)

    for course_id, competency_id, level in LiveSessionCompetency.objects.filter(
        competency__framework=framework
    ).values_list("session__course_id", "competency_id", "level"):
        if course_id in by_course:
            note(course_id, competency_id, level)
    return _matrix(framework=framework, columns=columns)
