"""Reflective supervision in Chromium: a supervisor records a session, the supervisee confirms.

The supervisee finds it waiting on their supervision page, reads the notes, confirms it and
sees the hours count.
"""

from __future__ import annotations

import pytest

from imh_organisations.models import Membership
from imh_supervision import services
from imh_supervision.models import SupervisionSession
from tests.competencies.factories import CompetencyFactory
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.organisations.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/")


def test_supervisor_records_and_supervisee_confirms(new_page):
    organisation = OrganisationFactory(name="Northshire Community Trust")
    supervisor = UserFactory(username="sam", email="sam@example.org", first_name="Sam")
    trainee = UserFactory(username="priya", email="priya@example.org", first_name="Priya")
    manager = UserFactory(username="jo", email="jo@example.org")
    MembershipFactory(organisation=organisation, user=supervisor, is_supervisor=True)
    MembershipFactory(organisation=organisation, user=trainee)
    MembershipFactory(organisation=organisation, user=manager, role=Membership.Role.MANAGER)
    services.pair_create(
        organisation=organisation, supervisor=supervisor, supervisee=trainee, actor=manager
    )
    competency = CompetencyFactory(short_name="Reading infant cues")

    page = new_page()
    _log_in(page, "sam@example.org")
    page.get_by_role("link", name="My supervision").first.click()
    page.get_by_role("link", name="Record a session").click()
    page.get_by_label("One-to-one").check()
    page.get_by_label(trainee.get_full_name()).check()
    page.get_by_label("Date of the session").fill("2026-01-15")
    page.get_by_label("Duration in minutes").fill("90")
    page.get_by_label("Safeguarding").check()
    page.get_by_label(f"{competency.code} Reading infant cues", exact=False).check()
    page.get_by_label("Reflective notes (optional)").fill("We thought about night waking.")
    page.get_by_role("button", name="Record session").click()
    page.get_by_text("Session recorded.").wait_for()
    assert SupervisionSession.objects.get().confirmed_at is None

    other = new_page()
    _log_in(other, "priya@example.org")
    other.goto("/supervision/")
    other.locator("#awaiting + ul a").first.click()
    other.get_by_text("We thought about night waking.").wait_for()
    other.get_by_role("button", name="Confirm session").click()
    other.get_by_text("Everyone has now confirmed this session.").wait_for()
    other.goto("/supervision/")
    assert other.get_by_test_id("hours-total").inner_text().startswith("1.5")
    assert SupervisionSession.objects.get().confirmed_at is not None
