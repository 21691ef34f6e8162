"""Observation reliability in Chromium: a trainee rates two clips, submits and sees the result."""

from __future__ import annotations

import pytest

from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.reliability.factories import make_test

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/")


def test_trainee_rates_two_clips_and_sees_result(new_page):
    make_test(references=[[1, 2], [3, 2]], slug="piios-practice")
    UserFactory(username="priya", email="priya@example.org", first_name="Priya")
    page = new_page()
    _log_in(page, "priya@example.org")
    page.goto("/reliability/")
    page.get_by_role("link", name="Test piios-practice").click()
    page.get_by_role("button", name="Start the test").click()
    assert page.get_by_role("heading", name="Clip 1 of 2").is_visible()
    assert page.locator("video[controls]").count() == 1
    page.get_by_role("group", name="I1 Item 1").get_by_label("1 Point 1").check()
    page.get_by_role("group", name="I2 Item 2").get_by_label("2 Point 2").check()
    page.get_by_role("button", name="Save and next clip").click()
    assert page.get_by_role("heading", name="Clip 2 of 2").is_visible()
    page.get_by_role("group", name="I1 Item 1").get_by_label("3 Point 3").check()
    page.get_by_role("group", name="I2 Item 2").get_by_label("1 Point 1").check()
    page.get_by_role("button", name="Save and check your ratings").click()
    page.get_by_role("button", name="Submit your ratings").click()
    page.wait_for_url("**/reliability/attempts/*/")
    assert page.get_by_role("heading", name="Your result").is_visible()
    assert page.get_by_text("Not passed this time").is_visible()
    assert page.get_by_text("75.00%").is_visible()
    assert page.get_by_role("heading", name="Feedback item by item").is_visible()
