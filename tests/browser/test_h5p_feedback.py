"""In Chromium: passing the H5P activity that a lesson requires tells the trainee, without a
page load, that the lesson and the course are complete, and where their certificate is."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from imh_courses.services.learning import enrolment_create
from tests.assessments.xapi_helpers import demo_h5p_activity
from tests.browser.test_h5p_player import answer_cues
from tests.courses.factories import create_course, lessons_of
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_passing_the_required_activity_completes_the_course_and_says_so(new_page, screenshot_dir):
    activity = demo_h5p_activity()
    course = create_course(title="Responsive care", modules=1, lessons_per_module=1)
    lesson = lessons_of(course)[0]
    lesson.body.append(("h5p", {"activity": activity, "required": True}))
    lesson.save_revision().publish()
    user = UserFactory(username="trainee", email="trainee@example.org")
    enrolment_create(user=user, course=course)

    page = new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/")
    page.goto(lesson.url)

    expect(page.get_by_text("To complete this lesson")).to_be_visible()
    expect(page.get_by_role("button", name="Mark as complete")).to_have_count(0)

    player = page.frame_locator("iframe.imh-h5p__frame")
    answer_cues(player)
    player.get_by_role("button", name="Check").click()

    # The activity's status line (announced to screen readers) says what the pass did...
    status = page.locator("[data-h5p-status]")
    expect(status).to_have_text(
        "You have completed “Responsive care”. Your certificate is ready.", timeout=20_000
    )
    expect(status).to_have_attribute("aria-live", "polite")
    # ...and the foot of the lesson leads to the certificate in place of the list to pass.
    feedback = page.locator("[data-lesson-feedback]")
    expect(feedback.get_by_role("link", name="Download your certificate (PDF)")).to_be_visible()
    expect(page.locator("[data-lesson-gate]")).to_be_hidden()
    assert not errors
    page.screenshot(path=screenshot_dir / "h5p-course-completed.png", full_page=True)
