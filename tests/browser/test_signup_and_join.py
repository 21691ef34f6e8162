"""The foundation's main journey, in Chromium through the real pages.

A new person signs up, confirms their email from the message the site sent, logs in,
completes their profile, asks to join their employer with its join code, and the
organisation's manager approves them.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail

from imh_organisations.models import Membership, OrganisationType
from imh_organisations.services import membership_create_active, organisation_create
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NEW_EMAIL = "amara.okoye@example.org"
NEW_PASSWORD = "attuned-babies-2026"


def _log_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def test_sign_up_confirm_complete_profile_and_join_an_organisation(new_page, screenshot_dir):
    trust = organisation_create(
        name="Northshire Community Health NHS Trust",
        organisation_type=OrganisationType.NHS_TRUST,
        ods_code="DEMO1",
    )
    manager = UserFactory(username="manager", email="manager@example.org")
    membership_create_active(organisation=trust, user=manager, role=Membership.Role.MANAGER)

    # Sign up.
    trainee = new_page()
    trainee.goto("/")
    trainee.get_by_role("link", name="Create an account").first.click()
    trainee.get_by_label("Email address").fill(NEW_EMAIL)
    trainee.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    trainee.get_by_label("Confirm password").fill(NEW_PASSWORD)
    trainee.get_by_role("button", name="Create account").click()
    trainee.get_by_role("heading", level=1).filter(has_text="Check your email").wait_for()

    # Mandatory verification: logging in before confirming does not get in.
    _log_in(trainee, NEW_EMAIL, NEW_PASSWORD)
    assert "/accounts/confirm-email/" in trainee.url or "Check your email" in trainee.content()

    # Confirm the address from the message the site sent.
    confirmation = next(message for message in mail.outbox if NEW_EMAIL in message.to)
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", confirmation.body).group(0)
    trainee.goto(link)
    trainee.get_by_role("button", name=re.compile("Confirm")).click()

    # Log in.
    _log_in(trainee, NEW_EMAIL, NEW_PASSWORD)
    trainee.wait_for_url("**/accounts/")
    assert "Your account" in trainee.get_by_role("heading", level=1).inner_text()

    # Complete the profile: a malformed NMC PIN gets a clear error and keeps the input.
    trainee.goto("/accounts/profile/")
    trainee.get_by_label("Full name").fill("Amara Okoye")
    trainee.get_by_label("Health visitor").check()
    trainee.get_by_label("Nursing and Midwifery Council (NMC)").check()
    trainee.get_by_label("Registration number (optional)").fill("12-345")
    trainee.get_by_role("button", name="Save profile").click()
    summary = trainee.locator(".nhsuk-error-summary")
    summary.wait_for()
    assert "There is a problem" in summary.inner_text()
    assert trainee.get_by_label("Full name").input_value() == "Amara Okoye"
    trainee.get_by_label("Registration number (optional)").fill("12a3456e")
    trainee.get_by_role("button", name="Save profile").click()
    trainee.wait_for_url("**/accounts/")
    assert "Amara Okoye" in trainee.content()
    assert "12A3456E" in trainee.content()

    # Ask to join with the trust's join code: a wrong code first, then the right one.
    trainee.get_by_role("link", name="Organisations").first.click()
    trainee.get_by_role("link", name="Join with a code").click()
    trainee.get_by_label("Join code").fill("WRNG-CODE")
    trainee.get_by_role("button", name="Ask to join").click()
    trainee.locator(".nhsuk-error-summary").wait_for()
    trainee.get_by_label("Join code").fill(trust.join_code.lower())
    trainee.get_by_role("button", name="Ask to join").click()
    trainee.wait_for_url("**/organisations/")
    assert "Northshire Community Health NHS Trust" in trainee.content()
    assert Membership.objects.get(user__email=NEW_EMAIL).status == Membership.Status.PENDING

    # The manager approves, in their own browser session.
    approver = new_page()
    _log_in(approver, manager.email, DEFAULT_PASSWORD)
    approver.wait_for_url("**/accounts/")
    approver.goto(f"/organisations/{trust.pk}/manage/")
    approver.get_by_role("button", name="Approve Amara Okoye").click()
    approver.locator(".nhsuk-notification-banner--success").wait_for()

    # The trainee now sees an active membership.
    trainee.reload()
    assert Membership.objects.get(user__email=NEW_EMAIL).status == Membership.Status.ACTIVE
    assert "Pending" not in trainee.locator("main").inner_text()
    trainee.screenshot(path=screenshot_dir / "signup-join-approved.png", full_page=True)
