"""The project's own H5P content type in Chromium: a trainee who misses answers is told which,
tries again with the keyboard, passes, and the lesson's requirement is met."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from imh_assessments.models import ActivityResult, XAPIStatement
from imh_courses.models import LessonProgress
from imh_courses.services.learning import enrolment_create
from tests.assessments.xapi_helpers import demo_answers, demo_h5p_activity
from tests.browser.test_h5p_player import LABELS, _log_in, _wait_for, answer_cues
from tests.courses.factories import create_course, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_cue_check_feedback_retry_and_pass_complete_the_lesson(new_page, screenshot_dir):
    activity = demo_h5p_activity(pass_mark=80)
    course = create_course(title="Responsive care", modules=1, lessons_per_module=2)
    lesson = lessons_of(course)[0]
    lesson.body.append(("h5p", {"activity": activity, "required": True}))
    lesson.save_revision().publish()
    user = UserFactory(username="trainee", email="trainee@example.org")
    enrolment = enrolment_create(user=user, course=course)
    answers = demo_answers()
    total = len(answers)

    page = new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _log_in(page, user.email)
    page.goto(lesson.url)
    player = page.frame_locator("iframe.imh-h5p__frame")

    # Checking with nothing chosen asks for every answer and records nothing.
    player.get_by_role("button", name="Check").click()
    expect(player.get_by_text("Choose an answer for every description")).to_be_visible()
    assert not XAPIStatement.objects.filter(user=user).exists()

    # Two wrong answers out of six: 67%, under the pass mark of 80%.
    answer_cues(player, wrong=2)
    player.get_by_role("button", name="Check").click()
    expect(player.get_by_role("status")).to_have_text(f"You got {total - 2} out of {total} right.")
    first = player.get_by_role("group", name=answers[0][0])
    expect(first.get_by_text("Not quite. The right answer is:")).to_be_visible()
    last = player.get_by_role("group", name=answers[-1][0])
    expect(last.get_by_text("Correct.")).to_be_visible()
    expect(first.get_by_role("radio").first).to_be_disabled()
    result = _wait_for(lambda: ActivityResult.objects.filter(user=user, activity=activity).first())
    assert not result.passed
    assert not LessonProgress.objects.filter(enrolment=enrolment, lesson=lesson).exists()
    page.screenshot(path=screenshot_dir / "h5p-cue-check-feedback.png", full_page=True)

    # Retry clears the answers and puts the focus on the first one: the keyboard answers it.
    player.get_by_role("button", name="Retry").click()
    text, cue = answers[0]
    choice = player.get_by_role("group", name=text).get_by_role(
        "radio", name=LABELS[cue], exact=True
    )
    expect(player.get_by_role("radio").first).to_be_focused()
    expect(choice).not_to_be_checked()
    page.keyboard.press("Space" if cue == "engagement" else "ArrowRight")
    expect(choice).to_be_checked()
    answer_cues(player)
    player.get_by_role("button", name="Check").click()
    expect(player.get_by_role("status")).to_have_text(f"You got {total} out of {total} right.")

    progress = _wait_for(
        lambda: LessonProgress.objects.filter(enrolment=enrolment, lesson=lesson).first()
    )
    assert progress.method == LessonProgress.Method.ACTIVITIES
    result.refresh_from_db()
    assert result.passed
    assert result.attempts == 2
    assert result.score == 1.0
    assert not errors
