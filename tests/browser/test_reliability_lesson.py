"""A trainee goes from the reliability card on a lesson to the test, starts it, and the
synthetic clip plays in Chromium through the signed private stream."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from imh_courses.services.learning import enrolment_create
from imh_reliability.synthetic import synthetic_clip_webm
from tests.courses.factories import create_course, lessons_of
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.reliability.integration_factories import reliability_test

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/")


def test_lesson_card_leads_to_the_test_and_the_synthetic_clip_plays(new_page):
    test = reliability_test(
        title="Cues reliability", clips=2, clip_bytes=synthetic_clip_webm(seed=5, seconds=2)
    )
    course = create_course(title="Responsive care", modules=1, lessons_per_module=1)
    lesson = lessons_of(course)[0]
    lesson.body.append(("reliability_test", {"test": test, "required": True}))
    lesson.save_revision().publish()
    trainee = UserFactory()
    enrolment_create(user=trainee, course=course)

    page = new_page()
    _log_in(page, trainee.email)
    page.goto(lesson.url)
    card = page.locator(f"#reliability-{test.pk}")
    expect(card).to_contain_text("Reliability test: Cues reliability")
    expect(card).to_contain_text("Synthetic clips")
    expect(card).to_contain_text("Not taken")
    card.get_by_role("link", name="Go to the test").click()

    page.get_by_role("button", name="Start the test").click()
    video = page.locator("video").first
    expect(video).to_be_visible()
    src = video.get_attribute("src")
    assert src
    assert "/reliability/clips/" in src
    assert "/media/" not in src
    page.wait_for_function(
        "() => { const v = document.querySelector('video');"
        " return v && v.readyState >= 1 && v.duration > 0; }"
    )
    duration = page.evaluate("() => document.querySelector('video').duration")
    assert 1.5 < duration < 2.5
    # It plays: time moves on (muted so that autoplay rules allow it).
    page.evaluate("() => { const v = document.querySelector('video'); v.muted = true; v.play(); }")
    page.wait_for_function("() => document.querySelector('video').currentTime > 0.2")
