"""The competency coverage report: a framework's competencies against a course's content."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from imh_assessments.models import H5PActivity, H5PActivityCompetency
from imh_assessments.models.quizzes import QuestionCompetency
from imh_competencies.models import PageCompetency
from imh_courses.models import LiveSession, LiveSessionCompetency
from imh_courses.selectors.coverage import course_coverage, framework_coverage
from tests.assessments.factories_quizzes import quiz_of, single_choice
from tests.competencies.factories import AreaFactory, CompetencyFactory, FrameworkFactory
from tests.courses.factories import create_course, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def educator():
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Educators"))
    return user


def place(lesson, *activities):
    lesson.body = [("text", "<p>Read this first.</p>"), *activities]
    lesson.save_revision().publish()


def add_session(course, title="Watch, wait and wonder") -> LiveSession:
    starts = timezone.now() + timedelta(days=3)
    return LiveSession.objects.create(
        course=course,
        title=title,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        venue="Hillside Library",
    )


@pytest.fixture
def framework():
    framework = FrameworkFactory(name="AiMH UK", levels=["Informed", "Skilled", "Enhanced"])
    relationships = AreaFactory(framework=framework, code="R", name="Relationships")
    practice = AreaFactory(framework=framework, code="P", name="Practice")
    CompetencyFactory(area=relationships, code="R1", short_name="Attunement", sort_order=1)
    CompetencyFactory(area=relationships, code="R2", short_name="Reflective function", sort_order=2)
    CompetencyFactory(area=practice, code="P1", short_name="Observation", sort_order=3)
    CompetencyFactory(area=practice, code="P2", short_name="=SUM(A1)", sort_order=4)
    return framework


def competency(framework, code):
    return framework.competencies.get(code=code)


def build_course(framework, *, title="Foundations", modules=2, lessons_per_module=2):
    """A course mapped to R1 (page), R2 (lesson), P1 (quiz question), R2 (H5P), R1 (session)."""
    course = create_course(title=title, modules=modules, lessons_per_module=lessons_per_module)
    lessons = lessons_of(course)
    PageCompetency.objects.create(page=course, competency=competency(framework, "R1"), level=1)
    PageCompetency.objects.create(page=lessons[0], competency=competency(framework, "R2"), level=2)
    question = single_choice()
    QuestionCompetency.objects.create(
        question=question, competency=competency(framework, "P1"), level=3
    )
    quiz = quiz_of(question, title=f"{title} check")
    activity = H5PActivity.objects.create(
        title=f"{title} cues game", package="h5p/packages/cues.h5p"
    )
    H5PActivityCompetency.objects.create(
        activity=activity, competency=competency(framework, "R2"), level=3
    )
    for index, lesson in enumerate(lessons):
        place(
            lesson,
            ("quiz", {"quiz": quiz, "required": True})
            if index % 2 == 0
            else ("h5p", {"activity": activity, "required": False}),
        )
    session = add_session(course)
    LiveSessionCompetency.objects.create(
        session=session, competency=competency(framework, "R1"), level=2
    )
    return course


def url(framework, course=None, **extra) -> str:
    query = f"?framework={framework.pk}"
    if course is not None:
        query += f"&course={course.pk}"
    for key, value in extra.items():
        query += f"&{key}={value}"
    return reverse("competency_coverage:index") + query


class TestCourseMatrix:
    def test_rows_are_competencies_by_area_and_columns_the_content(self, framework):
        course = build_course(framework)
        matrix = course_coverage(framework=framework, course=course)
        assert [area.area.code for area in matrix.areas] == ["R", "P"]
        labels = [column.label for column in matrix.columns]
        assert labels[0] == "Foundations"
        assert "Module 1" in labels
        assert "Lesson 2.2" in labels
        assert "Foundations check: Which age is infancy?" in labels
        assert "Foundations cues game" in labels
        assert labels[-1] == "Watch, wait and wonder"
        rows = {row.competency.code: row for row in matrix.rows}
        assert rows["R1"].labels[0] == "Informed"  # the course page
        assert rows["R2"].highest == 3
        assert "Enhanced" in rows["P1"].labels
        assert not rows["P2"].covered
        assert (matrix.total, matrix.uncovered) == (4, 1)

    def test_the_page_shows_levels_and_highlights_what_is_not_covered(self, client, framework):
        course = build_course(framework)
        client.force_login(educator())
        response = client.get(url(framework, course))
        text = response.content.decode()
        assert response.status_code == 200
        assert "1 of 4 competencies not covered" in text
        assert text.count("Not covered") == 1
        assert "coverage-row--uncovered" in text
        assert "Quiz question in Lesson 1.1" in text
        assert "Skilled" in text
        assert "Enhanced" in text

    def test_another_frameworks_mappings_do_not_show(self, framework):
        course = build_course(framework)
        other = CompetencyFactory(code="X1")
        PageCompetency.objects.create(page=course, competency=other, level=1)
        matrix = course_coverage(framework=framework, course=course)
        assert {row.competency.code for row in matrix.rows} == {"R1", "R2", "P1", "P2"}

    def test_queries_do_not_grow_with_the_course(self, framework):
        def count(course) -> int:
            with CaptureQueriesContext(connection) as queries:
                course_coverage(framework=framework, course=course)
            return len(queries)

        small = build_course(framework, title="Small", modules=1, lessons_per_module=2)
        large = build_course(framework, title="Large", modules=4, lessons_per_module=4)
        for index in range(3):
            add_session(large, title=f"Extra session {index}")
        assert count(small) == count(large) <= 12

    def test_the_page_queries_do_not_grow_either(self, client, framework):
        small = build_course(framework, title="Small", modules=1, lessons_per_module=2)
        large = build_course(framework, title="Large", modules=4, lessons_per_module=4)
        client.force_login(educator())
        client.get(url(framework, small))  # warm caches (content types, site)
        counts = []
        for course in (small, large):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url(framework, course)).status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1]


class TestFrameworkSummary:
    def test_each_course_shows_the_highest_level_of_its_content(self, framework):
        build_course(framework, title="Foundations")
        unmapped = create_course(title="Unmapped", modules=1, lessons_per_module=1)
        matrix = framework_coverage(framework=framework)
        assert [column.label for column in matrix.columns] == ["Foundations", "Unmapped"]
        rows = {row.competency.code: row for row in matrix.rows}
        assert rows["R1"].cells == [2, None]  # page at 1, session at 2
        assert rows["R2"].cells == [3, None]  # lesson at 2, H5P at 3
        assert rows["P1"].cells == [3, None]  # quiz question
        assert rows["P2"].cells == [None, None]
        assert matrix.uncovered == 1
        assert unmapped.pk  # listed even with nothing mapped

    def test_the_summary_page(self, client, framework):
        build_course(framework)
        client.force_login(educator())
        text = client.get(url(framework)).content.decode()
        assert "1 of 4 competencies not covered" in text
        assert "by any course" in text

    def test_queries_do_not_grow_with_courses(self, framework):
        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                framework_coverage(framework=framework)
            return len(queries)

        build_course(framework, title="One", modules=1, lessons_per_module=2)
        one = count()
        for title in ("Two", "Three", "Four"):
            build_course(framework, title=title, modules=2, lessons_per_module=2)
        assert count() == one


class TestCsv:
    def test_the_matrix_downloads_with_formulas_neutralised(self, client, framework):
        course = build_course(framework)
        client.force_login(educator())
        response = client.get(url(framework, course, export="csv"))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0][:5] == ["Area", "Code", "Competency", "Covered", "Foundations (Course)"]
        by_code = {row[1]: row for row in rows[1:]}
        assert by_code["P2"][2] == "'=SUM(A1)"
        assert by_code["P2"][3] == "No"
        assert by_code["R1"][4] == "Informed"


class TestAccess:
    def test_trainees_are_sent_to_the_admin_login(self, client, framework):
        client.force_login(UserFactory())
        response = client.get(url(framework))
        assert response.status_code == 302
        assert "/login/" in response["Location"]

    def test_admin_users_who_cannot_edit_courses_are_refused(self, client, framework):
        group = Group.objects.create(name="Report readers")
        group.permissions.add(Permission.objects.get(codename="access_admin"))
        user = UserFactory()
        user.groups.add(group)
        client.force_login(user)
        # Wagtail turns the refusal into a return to the dashboard, with a message.
        response = client.get(url(framework))
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
        assert (
            "Competency coverage" not in client.get(reverse("wagtailadmin_home")).content.decode()
        )

    def test_educators_and_superusers_see_it_in_the_reports_menu(self, client, framework):
        for user in (educator(), UserFactory(is_superuser=True, is_staff=True)):
            client.force_login(user)
            assert client.get(url(framework)).status_code == 200
            home = client.get(reverse("wagtailadmin_home")).content.decode()
            assert "Competency coverage" in home

    def test_a_bad_choice_is_explained(self, client, framework):
        client.force_login(educator())
        response = client.get(reverse("competency_coverage:index") + "?framework=999999")
        assert response.status_code == 200
        assert "Choose a framework and a course from the lists." in response.content.decode()
