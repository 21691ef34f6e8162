"""Search the public recognition register and open a practitioner's verification page."""

from __future__ import annotations

import pytest

from tests.recognition.register_factories import make_recognition, make_scheme

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_search_the_register_and_verify(new_page, screenshot_dir):
    scheme = make_scheme()
    entry = make_recognition(scheme=scheme, name="Priya Shah", region="north_west")
    make_recognition(scheme=scheme, name="Sam Okafor", region="london")
    make_recognition(scheme=scheme, name="Ben Private", public=False)

    page = new_page()
    page.goto("/recognition/register/")
    main = page.locator("main")
    assert "2 practitioners listed" in main.inner_text()
    assert "Ben Private" not in main.inner_text()

    page.get_by_label("Name").fill("shah")
    page.get_by_label("Region").select_option(label="North West")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    text = main.inner_text()
    assert "1 practitioner found" in text
    assert "Priya Shah" in text
    assert "Sam Okafor" not in text
    page.screenshot(path=str(screenshot_dir / "recognition-register.png"), full_page=True)

    page.get_by_role("link", name="Priya Shah").click()
    page.wait_for_url(f"**/recognition/verify/{entry.code}/")
    text = page.locator("main").inner_text()
    assert "This recognition is valid" in text
    assert "North West" in text
    assert entry.code in text
