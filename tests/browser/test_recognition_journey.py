"""Recognition in Chromium: a practitioner applies, an assessor approves in the admin."""

from __future__ import annotations

import pytest

from imh_recognition.models import Application, Recognition
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.recognition.factories import add_evidence, make_assessor, make_framework_scheme

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/")


def test_apply_and_assessor_approves(new_page):
    _scheme, (competency,) = make_framework_scheme(competencies=1, title="Recognised at level 1")
    applicant = UserFactory(
        username="priya", email="priya@example.org", first_name="Priya", last_name="Shah"
    )
    add_evidence(applicant, competency, title="Observed postnatal visit")
    make_assessor(username="morgan", email="morgan@example.org")

    page = new_page()
    _log_in(page, "priya@example.org")
    page.goto("/recognition/")
    page.get_by_role("button", name="Start an application").click()
    page.get_by_role("cell", name="Observed postnatal visit", exact=True).wait_for()
    page.get_by_label("Area of practice").select_option("health_visiting")
    page.get_by_label("Region you work in").select_option("north_west")
    page.get_by_label("Your statement", exact=True).fill("I support parents and babies.")
    page.get_by_label("List me on the public register if my application is approved").check()
    page.get_by_role("button", name="Submit application").click()
    page.get_by_text("Your application is submitted.").wait_for()
    assert Application.objects.get().status == Application.Status.SUBMITTED

    admin = new_page()
    _log_in(admin, "morgan@example.org")
    admin.goto("/admin/recognition/applications/")
    admin.get_by_role("link", name="Priya Shah").click()
    admin.get_by_text("I support parents and babies.").wait_for()
    admin.get_by_label("Comment for the applicant (optional)").fill("Well evidenced.")
    admin.get_by_role("button", name="Approve and grant recognition").click()
    admin.get_by_text("Approved: Priya Shah is recognised").wait_for()

    recognition = Recognition.objects.get()
    assert recognition.person == applicant
    assert recognition.public
    page.goto("/recognition/")
    page.get_by_text("Your recognition").wait_for()
