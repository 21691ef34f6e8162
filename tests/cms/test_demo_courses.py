"""The demo's courses: two real courses, a pathway and future live sessions, loaded once."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Revision

from imh_courses.models import (
    CoursePage,
    Enrolment,
    LessonPage,
    LiveSession,
    ModulePage,
    Pathway,
    PathwayCourse,
)

pytestmark = pytest.mark.django_db

MIDWIVES = "Infant mental health foundations for midwives"
EARLY_YEARS = "Parent\u2013infant relationships in early years settings"


@pytest.fixture
def demo():
    call_command("demo_load")


def _counts() -> dict[str, int]:
    return {
        "courses": CoursePage.objects.count(),
        "modules": ModulePage.objects.count(),
        "lessons": LessonPage.objects.count(),
        "sessions": LiveSession.objects.count(),
        "pathways": Pathway.objects.count(),
        "pathway courses": PathwayCourse.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "revisions": Revision.objects.count(),
    }


def test_two_courses_of_at_least_three_modules_of_two_or_three_lessons(demo):
    assert set(CoursePage.objects.live().values_list("title", flat=True)) == {
        MIDWIVES,
        EARLY_YEARS,
    }
    for course in CoursePage.objects.all():
        modules = ModulePage.objects.child_of(course).live()
        assert modules.count() >= 3, course.title
        for module in modules:
            assert 2 <= LessonPage.objects.child_of(module).live().count() <= 3, module.title


def test_the_midwives_course_is_level_1_mandatory_and_renewed_every_two_years(demo):
    course = CoursePage.objects.get(title=MIDWIVES)
    assert course.imh_level == 1
    assert course.cpd_hours == 3
    assert course.mandatory_for_roles == ["midwife"]
    assert course.certificate_validity_months == 24
    early_years = CoursePage.objects.get(title=EARLY_YEARS)
    assert "nursery_nurse" in early_years.audience_roles
    assert early_years.imh_level in (1, 2)


def test_lessons_use_a_mix_of_blocks_and_real_teaching_text(demo):
    for course in CoursePage.objects.all():
        used = set()
        text = ""
        for lesson in LessonPage.objects.descendant_of(course):
            used |= {block.block_type for block in lesson.body}
            text += str(lesson.body.raw_data)
        assert {
            "text",
            "key_points",
            "reflection",
            "sensitive_content",
            "inset_text",
            "details",
            "do_list",
            "dont_list",
        } <= used, course.title
        assert "lorem" not in text.lower()
        assert "116 123" in text  # Samaritans
        assert "999" in text


def test_a_pathway_uses_both_courses_in_order(demo):
    pathway = Pathway.objects.get()
    assert pathway.is_active
    assert pathway.title == "Health visitor IMH pathway"
    titles = [link.course.title for link in pathway.pathway_courses.order_by("sort_order")]
    assert titles == [MIDWIVES, EARLY_YEARS]


def test_live_sessions_are_in_the_future_in_uk_mornings_with_places(demo):
    now = timezone.now()
    educator = get_user_model().objects.get(email="educator@example.org")
    sessions = list(LiveSession.objects.all())
    assert {session.kind for session in sessions} >= {"workshop", "webinar", "group_supervision"}
    for session in sessions:
        assert session.starts_at > now
        assert session.status == LiveSession.Status.SCHEDULED
        assert session.capacity > 0
        assert session.facilitator == educator
        starts = timezone.localtime(session.starts_at)
        ends = timezone.localtime(session.ends_at)
        assert (starts.time(), ends.time()) == (datetime.time(9, 30), datetime.time(12, 30))
    workshop = LiveSession.objects.get(kind="workshop")
    assert workshop.venue
    assert not workshop.joining_url
    webinar = LiveSession.objects.get(kind="webinar")
    assert webinar.joining_url == "https://example.org/join/imh-webinar"
    assert webinar.is_online


def test_demo_load_twice_duplicates_no_course_content(demo):
    first = _counts()
    call_command("demo_load")
    assert _counts() == first


def test_past_demo_sessions_move_forward_instead_of_multiplying(demo):
    LiveSession.objects.update(
        starts_at=timezone.now() - datetime.timedelta(days=30),
        ends_at=timezone.now() - datetime.timedelta(days=30, hours=-3),
    )
    count = LiveSession.objects.count()
    call_command("demo_load")
    assert LiveSession.objects.count() == count
    assert not LiveSession.objects.filter(starts_at__lte=timezone.now()).exists()


def test_the_demo_trainee_has_made_a_start(demo, client):
    trainee = get_user_model().objects.get(email="trainee@example.org")
    course = CoursePage.objects.get(title=MIDWIVES)
    enrolment = Enrolment.objects.get(user=trainee, course=course)
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert enrolment.progress.count() == 1
    client.force_login(trainee)
    html = client.get(course.url).content.decode()
    assert "Continue where you left off" in html


def test_every_demo_page_renders_for_an_enrolled_trainee(demo, client):
    trainee = get_user_model().objects.get(email="trainee@example.org")
    client.force_login(trainee)
    pages = [*CoursePage.objects.all(), *ModulePage.objects.all()]
    for page in pages:
        assert client.get(page.url).status_code == 200, page.url
    course = CoursePage.objects.get(title=MIDWIVES)
    for lesson in LessonPage.objects.descendant_of(course):
        response = client.get(lesson.url)
        assert response.status_code == 200, lesson.url
        html = response.content.decode()
        # A lesson with a required activity (the demo H5P) says what to pass instead.
        assert any(
            text in html
            for text in ("Mark as complete", "completed this lesson", "To complete this lesson")
        ), lesson.url


def test_every_demo_lesson_renders_for_an_educator(demo, client):
    educator = get_user_model().objects.get(email="educator@example.org")
    client.force_login(educator)
    for lesson in LessonPage.objects.all():
        response = client.get(lesson.url)
        assert response.status_code == 200, lesson.url
        html = response.content.decode()
        assert "to see this lesson" not in html, lesson.url
