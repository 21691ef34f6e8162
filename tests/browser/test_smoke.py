"""The site works in a real browser: layout, navigation and no console errors."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_home_page_in_chromium(new_page, screenshot_dir):
    page = new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            # The NHS web fonts cannot be fetched offline; the stylesheet falls back to Arial.
            and "assets.nhs.uk" not in message.text + str(message.location.get("url", ""))
            and errors.append(message.text)
        ),
    )
    page.goto("/")
    assert page.locator("h1").first.inner_text() == "Infant mental health training"
    # The NHS.UK JavaScript ran (it marks the body) under the Content Security Policy.
    assert "js-enabled" in page.locator("body").get_attribute("class")
    page.get_by_role("link", name="Skip to main content").focus()
    page.screenshot(path=screenshot_dir / "home.png", full_page=True)
    assert errors == []
