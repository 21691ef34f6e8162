"""The H5P player's frame in Chromium is set like the rest of the site: the NHS.UK typeface
(Frutiger, else Arial), never the browser's default serif, with room around the activity."""

from __future__ import annotations

import pytest

from imh_courses.services.learning import enrolment_create
from tests.browser.test_h5p_player import _lesson_with_activity, _log_in, _player_frame
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_player_frame_uses_the_sites_typeface_and_padding(new_page, screenshot_dir):
    course, lesson, _ = _lesson_with_activity()
    user = UserFactory(username="trainee", email="trainee@example.org")
    enrolment_create(user=user, course=course)
    page = new_page()
    _log_in(page, user.email)
    page.goto(lesson.url)
    frame = _player_frame(page)
    page.frame_locator("iframe.imh-h5p__frame").get_by_role("radio").first.wait_for()

    body = frame.evaluate(
        """() => {
          const s = getComputedStyle(document.body);
          return {font: s.fontFamily, left: s.paddingLeft, top: s.paddingTop};
        }"""
    )
    assert "Times" not in body["font"]
    assert body["font"].replace('"', "").startswith("Frutiger W01, Arial"), body
    assert float(body["left"].removesuffix("px")) >= 16, body
    assert float(body["top"].removesuffix("px")) >= 16, body

    # Every piece of text in the activity, H5P's own widgets included, is in that typeface.
    fonts = frame.evaluate(
        """() => [...document.querySelectorAll('#h5p-container *')]
             .filter((el) => [...el.childNodes].some(
                 (n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim()))
             .map((el) => getComputedStyle(el).fontFamily)"""
    )
    assert fonts, "the activity shows no text"
    for font in fonts:
        plain = font.replace('"', "").replace("'", "")
        # The NHS.UK stack, or Arial where H5P names it, or one of H5P's icon fonts.
        assert plain.startswith("Frutiger W01, Arial") or plain.split(",")[0] in {
            "Arial",
            "h5p",
            "H5P",
            "h5p-theme",
        }, font
    page.screenshot(path=screenshot_dir / "h5p-player-typeface.png", full_page=True)
