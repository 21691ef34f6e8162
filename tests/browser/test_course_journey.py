"""The blended course journey in Chromium: enrol, learn online, attend live, complete.

A trainee enrols, completes the lessons, books a live workshop; after the workshop an
educator marks the register; the course then shows as complete.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from imh_courses.models import CourseCompletion, LiveSession
from tests.courses.factories import create_course, lessons_of
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/")


def test_enrol_learn_book_attend_and_complete(new_page, screenshot_dir):
    course = create_course(
        title="Infant mental health foundations",
        modules=1,
        lessons_per_module=2,
        required_live_sessions=1,
    )
    starts = timezone.now() + timedelta(days=7)
    session = LiveSession.objects.create(
        course=course,
        kind=LiveSession.Kind.WORKSHOP,
        title="Attunement in practice",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        venue="Education Centre, Northshire General Hospital",
        capacity=12,
    )
    trainee_user = UserFactory(username="trainee", email="trainee@example.org")
    educator = UserFactory(username="educator", email="educator@example.org")
    educator.groups.add(Group.objects.get(name="Educators"))

    # Enrol.
    trainee = new_page()
    _log_in(trainee, trainee_user.email)
    trainee.goto(course.url)
    trainee.get_by_role("button", name="Enrol on this course").click()
    trainee.locator(".nhsuk-notification-banner").first.wait_for()

    # Complete both lessons.
    for lesson in lessons_of(course):
        trainee.goto(lesson.url)
        assert "Teaching text for lesson" in trainee.locator("main").inner_text()
        trainee.get_by_role("button", name="Mark as complete").click()
        trainee.wait_for_load_state()
    assert not CourseCompletion.objects.exists()  # the workshop is still to come

    # Book the workshop from the course page.
    trainee.goto(course.url)
    trainee.get_by_role("link", name="Attunement in practice").click()
    trainee.get_by_role("button", name="Book a place").click()
    trainee.locator(".nhsuk-notification-banner").first.wait_for()

    # The workshop takes place.
    LiveSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(hours=4), ends_at=timezone.now() - timedelta(hours=1)
    )

    # The educator marks the register.
    register = new_page()
    _log_in(register, educator.email)
    register.goto(f"/learning/sessions/{session.pk}/register/")
    register.locator("input[type=radio][value=attended]").first.check()
    register.get_by_role("button", name="Save attendance").click()
    register.locator(".nhsuk-notification-banner").first.wait_for()

    # The course now shows as complete for the trainee.
    trainee.goto(course.url)
    assert "Completed" in trainee.locator("main").inner_text()
    assert CourseCompletion.objects.filter(user=trainee_user, course=course).count() == 1
    trainee.screenshot(path=screenshot_dir / "course-complete.png", full_page=True)
