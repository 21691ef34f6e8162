"""Reliability tests as lesson activities: placements, gating, the lesson card, the chooser."""

from __future__ import annotations

import datetime
import html

import pytest
import time_machine
from django.urls import reverse

from imh_assessments.models import ActivityPlacement
from imh_assessments.selectors import required_activities_outstanding
from imh_assessments.selectors.required import required_activities
from imh_courses.models import LessonProgress
from imh_courses.services.learning import enrolment_create
from imh_reliability.blocks import ReliabilityTestBlock
from imh_reliability.services import attempt_start, attempt_submit, ratings_save
from tests.courses.factories import create_course, lessons_of
from tests.factories import UserFactory
from tests.reliability.integration_factories import reliability_test, result

pytestmark = pytest.mark.django_db


def place(lesson, *activities):
    lesson.body = [("text", "<p>Read this first.</p>"), *activities]
    lesson.save_revision().publish()
    lesson.refresh_from_db()
    return lesson


def block(test, required: bool = True):
    return ("reliability_test", {"test": test, "required": required})


@pytest.fixture
def lesson():
    course = create_course(modules=1, lessons_per_module=2)
    return lessons_of(course)[0]


def test_publishing_a_lesson_places_its_reliability_test(lesson):
    test = reliability_test()
    optional = reliability_test(title="Optional practice")
    place(lesson, block(test), block(optional, required=False))
    assert set(
        ActivityPlacement.objects.filter(page=lesson).values_list(
            "activity_type", "activity_id", "required"
        )
    ) == {("reliability", test.pk, True), ("reliability", optional.pk, False)}

    place(lesson)
    assert not ActivityPlacement.objects.filter(page=lesson).exists()


def test_the_block_names_its_test_as_the_activity():
    test = reliability_test()
    block_def = ReliabilityTestBlock()
    value = block_def.to_python({"test": test.pk, "required": True})
    assert block_def.activity_type == "reliability"
    assert block_def.activity_id(value) == test.pk
    assert block_def.activity_id(block_def.to_python({"test": None, "required": True})) is None


def test_a_required_test_gates_the_lesson_until_a_current_pass(lesson):
    test = reliability_test()
    place(lesson, block(test))
    trainee = UserFactory()
    assert required_activities_outstanding(user=trainee, lesson_ids=[lesson.pk]) == {lesson.pk}

    result(user=trainee, test=test, passed=False)
    assert required_activities_outstanding(user=trainee, lesson_ids=[lesson.pk]) == {lesson.pk}

    attempt = result(user=trainee, test=test, passed=True)
    assert required_activities_outstanding(user=trainee, lesson_ids=[lesson.pk]) == set()
    [activity] = required_activities(user=trainee, page_ids=[lesson.pk])
    assert activity.passed
    assert activity.anchor == f"reliability-{test.pk}"
    assert activity.label == f"the reliability test “{test.title}”"

    # The day after the result expires, the lesson asks for a re-test.
    with time_machine.travel(attempt.expires_on + datetime.timedelta(days=1), tick=False):
        assert required_activities_outstanding(user=trainee, lesson_ids=[lesson.pk]) == {lesson.pk}
        [activity] = required_activities(user=trainee, page_ids=[lesson.pk])
        assert not activity.passed


def test_an_optional_test_does_not_gate_the_lesson(lesson):
    place(lesson, block(reliability_test(), required=False))
    assert required_activities_outstanding(user=UserFactory(), lesson_ids=[lesson.pk]) == set()


def test_a_deleted_test_still_gates_with_a_clear_label(lesson):
    test = reliability_test()
    place(lesson, block(test))
    ActivityPlacement.objects.filter(page=lesson).update(activity_id=test.pk + 999)
    [activity] = required_activities(user=UserFactory(), page_ids=[lesson.pk])
    assert activity.label.startswith("a reliability test that is no longer available")


def test_passing_the_test_completes_the_lesson_it_gates(lesson, django_capture_on_commit_callbacks):
    test = reliability_test(items=2, points=3, clips=2)
    place(lesson, block(test))
    trainee = UserFactory()
    enrolment_create(user=trainee, course=lesson.get_parent().get_parent().specific)
    attempt = attempt_start(user=trainee, test=test)
    items = list(test.scale.items.order_by("position"))
    with django_capture_on_commit_callbacks(execute=True):
        for clip in test.clips.all():
            ratings_save(attempt=attempt, clip=clip, values={item.pk: 2 for item in items})
        attempt = attempt_submit(attempt=attempt)
    assert attempt.passed
    progress = LessonProgress.objects.get(enrolment__user=trainee, lesson=lesson)
    assert progress.method == LessonProgress.Method.ACTIVITIES


def test_a_failed_attempt_leaves_the_lesson_open(lesson, django_capture_on_commit_callbacks):
    test = reliability_test(items=2, points=3, clips=2)
    place(lesson, block(test))
    trainee = UserFactory()
    enrolment_create(user=trainee, course=lesson.get_parent().get_parent().specific)
    attempt = attempt_start(user=trainee, test=test)
    items = list(test.scale.items.order_by("position"))
    with django_capture_on_commit_callbacks(execute=True):
        for clip in test.clips.all():
            ratings_save(attempt=attempt, clip=clip, values={item.pk: 1 for item in items})
        attempt = attempt_submit(attempt=attempt)
    assert attempt.passed is False
    assert not LessonProgress.objects.filter(enrolment__user=trainee, lesson=lesson).exists()


def _card(client, user, lesson) -> str:
    client.force_login(user)
    response = client.get(lesson.url)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    start = page.index('class="nhsuk-card imh-reliability-card"')
    return page[start : page.index("</div>\n</div>", start)]


def test_the_lesson_card_shows_the_persons_status_and_links_to_the_test(client, lesson):
    test = reliability_test(title="Cues reliability", synthetic=True)
    place(lesson, block(test))
    trainee = UserFactory()
    enrolment_create(user=trainee, course=lesson.get_parent().get_parent().specific)

    card = _card(client, trainee, lesson)
    assert "Reliability test: Cues reliability" in card
    assert "Required" in card
    assert "Synthetic clips" in card
    assert test.scale.name in card
    assert 'data-reliability-status="not_taken"' in card
    assert reverse("imh_reliability:test", args=[test.slug]) in card

    result(user=trainee, test=test, passed=False)
    assert 'data-reliability-status="not_passed"' in _card(client, trainee, lesson)

    attempt = result(user=trainee, test=test, passed=True)
    card = _card(client, trainee, lesson)
    assert 'data-reliability-status="current"' in card
    assert f"Passed until {attempt.expires_on:%-d %B %Y}" in card

    with time_machine.travel(attempt.expires_on - datetime.timedelta(days=10), tick=False):
        card = _card(client, trainee, lesson)
        assert 'data-reliability-status="expiring"' in card
        assert "Re-test before then" in card
    with time_machine.travel(attempt.expires_on + datetime.timedelta(days=1), tick=False):
        card = _card(client, trainee, lesson)
        assert 'data-reliability-status="expired"' in card
        assert "Re-test to renew it" in card


def test_the_lessons_outstanding_list_names_the_reliability_test(client, lesson):
    test = reliability_test(title="Cues reliability")
    place(lesson, block(test))
    trainee = UserFactory()
    enrolment_create(user=trainee, course=lesson.get_parent().get_parent().specific)
    client.force_login(trainee)
    page = html.unescape(client.get(lesson.url).content.decode())
    assert f'href="#reliability-{test.pk}"' in page
    assert "The reliability test “Cues reliability”" in page


def test_real_clips_get_no_synthetic_tag(client, lesson):
    test = reliability_test(synthetic=False)
    place(lesson, block(test))
    trainee = UserFactory()
    enrolment_create(user=trainee, course=lesson.get_parent().get_parent().specific)
    assert "Synthetic clips" not in _card(client, trainee, lesson)


def test_editors_choose_tests_in_the_admin_chooser(client):
    test = reliability_test(title="Cues reliability")
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.get(reverse("reliability_test_chooser:choose"))
    assert response.status_code == 200
    assert "Cues reliability" in response.content.decode()
    chosen = client.get(reverse("reliability_test_chooser:chosen", args=[test.pk]))
    assert chosen.status_code == 200
    assert "Cues reliability" in chosen.content.decode()


def test_the_lesson_editor_offers_the_block(client, lesson):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[lesson.pk]))
    assert response.status_code == 200
    assert "Observation reliability test" in response.content.decode()


def test_the_block_renders_for_someone_not_logged_in():
    test = reliability_test(title="Cues reliability")
    rendered = ReliabilityTestBlock().render(
        ReliabilityTestBlock().to_python({"test": test.pk, "required": True}), context={}
    )
    assert "Cues reliability" in rendered
    assert "data-reliability-status" not in rendered
