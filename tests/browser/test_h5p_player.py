"""The H5P player in Chromium: a trainee answers an activity in a lesson and the result is
recorded; the player's frame cannot read the session or act as the trainee."""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import expect

from imh_assessments.models import (
    ActivityPlacement,
    ActivityResult,
    ActivityState,
    XAPIStatement,
)
from imh_courses.services.learning import enrolment_create
from tests.assessments.xapi_helpers import demo_answers, demo_h5p_activity
from tests.courses.factories import create_course, lessons_of
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/")


def _lesson_with_activity():
    activity = demo_h5p_activity()
    course = create_course(title="Responsive care", modules=1, lessons_per_module=1)
    lesson = lessons_of(course)[0]
    lesson.body.append(("h5p", {"activity": activity, "required": True}))
    lesson.save_revision().publish()
    lesson.refresh_from_db()
    assert ActivityPlacement.objects.filter(page=lesson, activity_id=activity.pk).exists()
    return course, lesson, activity


def _wait_for(check, timeout: float = 15):
    """Poll the database until ``check()`` is truthy (the browser posts asynchronously)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("Timed out waiting for the server to record the result.")


LABELS = {"engagement": "Engagement cue", "disengagement": "Disengagement cue"}
OTHER = {"engagement": "disengagement", "disengagement": "engagement"}


def answer_cues(player, *, wrong: int = 0) -> None:
    """Answer the project's demo activity in the player, ``wrong`` of the answers wrongly."""
    for index, (text, cue) in enumerate(demo_answers()):
        choice = OTHER[cue] if index < wrong else cue
        player.get_by_role("group", name=text).get_by_role(
            "radio", name=LABELS[choice], exact=True
        ).check()


def _player_frame(page):
    page.locator("[data-imh-h5p][data-h5p-started=true]").wait_for()
    return next(frame for frame in page.frames if "/embed/" in frame.url)


def test_trainee_answers_and_the_result_is_recorded(new_page, screenshot_dir):
    course, lesson, activity = _lesson_with_activity()
    user = UserFactory(username="trainee", email="trainee@example.org")
    enrolment_create(user=user, course=course)
    page = new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _log_in(page, user.email)
    page.goto(lesson.url)

    player = page.frame_locator("iframe.imh-h5p__frame")
    answer_cues(player)
    player.get_by_role("button", name="Check").click()

    result = _wait_for(lambda: ActivityResult.objects.filter(user=user, activity=activity).first())
    answered = XAPIStatement.objects.get(
        user=user, activity=activity, verb="http://adlnet.gov/expapi/verbs/answered"
    )
    score = answered.raw["result"]["score"]
    assert result.score == score["scaled"]
    assert score["raw"] == score["max"] == len(demo_answers())
    assert result.passed
    assert answered.raw["object"]["id"].endswith(f"/assessments/h5p/{activity.uuid}")
    assert answered.raw["actor"]["account"]["name"] == str(user.pk)
    assert not errors
    page.screenshot(path=screenshot_dir / "h5p-answered.png", full_page=True)

    # Where the trainee left off is saved through the lesson page and given back next time.
    state = _wait_for(
        lambda: ActivityState.objects.filter(user=user, activity=activity).first(), timeout=25
    )
    assert json.loads(state.document)
    page.reload()
    player = page.frame_locator("iframe.imh-h5p__frame")
    text, cue = demo_answers()[0]
    expect(
        player.get_by_role("group", name=text).get_by_role("radio", name=LABELS[cue], exact=True)
    ).to_be_checked()
    expect(player.get_by_role("status")).to_have_text(
        f"You got {len(demo_answers())} out of {len(demo_answers())} right."
    )


def test_player_frame_cannot_use_the_trainees_session(new_page, live_server):
    course, lesson, activity = _lesson_with_activity()
    user = UserFactory(username="trainee", email="trainee@example.org")
    enrolment_create(user=user, course=course)
    page = new_page()
    _log_in(page, user.email)
    page.goto(lesson.url)
    frame = _player_frame(page)

    # Package JavaScript runs in the frame: it cannot read cookies or storage...
    cookie = frame.evaluate(
        "() => { try { return document.cookie; } catch (e) { return 'blocked: ' + e.name; } }"
    )
    assert cookie.startswith("blocked")
    assert frame.evaluate("() => window.origin") == "null"
    parent = frame.evaluate(
        "() => { try { return window.parent.document.title; } catch (e) { return 'blocked'; } }"
    )
    assert parent == "blocked"

    # ...nor read pages as the trainee...
    read = frame.evaluate(
        """async () => {
            try {
                const response = await fetch('/accounts/', {credentials: 'include'});
                return 'read ' + response.status + ' ' + (await response.text()).slice(0, 200);
            } catch (error) { return 'blocked'; }
        }"""
    )
    assert read == "blocked"

    # ...nor record results for them: the session cookie is not sent from the frame.
    forged = {
        "actor": {"mbox": f"mailto:{user.email}"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/passed"},
        "object": {"id": f"{live_server.url}/assessments/h5p/{activity.uuid}"},
    }
    frame.evaluate(
        """async (body) => {
            try {
                await fetch('/xapi/statements', {
                    method: 'POST', credentials: 'include', mode: 'no-cors',
                    headers: {'Content-Type': 'text/plain'}, body: JSON.stringify(body),
                });
            } catch (error) { /* refused either way */ }
        }""",
        forged,
    )
    time.sleep(0.5)
    assert not XAPIStatement.objects.filter(verb__endswith="/passed").exists()
    assert not ActivityResult.objects.filter(user=user).exists()
    assert json.loads(json.dumps(forged))  # the forged statement was well formed
