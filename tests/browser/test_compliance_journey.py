"""A manager's compliance dashboard in Chromium: filter, assign a course, download the CSV.

A nursery manager opens the dashboard from the header, narrows it to one team, selects a
member of staff, assigns them a course with a due date, sees the new status in the matrix
and downloads the filtered matrix as CSV.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from imh_accounts.choices import ProfessionalRole
from imh_compliance.models import Assignment, MandatoryRule
from imh_courses.models import Enrolment
from imh_organisations.models import Team
from tests.accounts.factories import ProfileFactory
from tests.courses.factories import create_course
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.organisations.factories import (
    ManagerMembershipFactory,
    MembershipFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/")


def _member(organisation, name: str, *, team=None, role=ProfessionalRole.NURSERY_NURSE):
    membership = MembershipFactory(organisation=organisation, team=team)
    ProfileFactory(
        user=membership.user,
        full_name=name,
        professional_role=role,
        registration_body="",
        registration_number="",
    )
    return membership


def _matrix_rows(page) -> list[str]:
    return page.locator(".imh-compliance-matrix tbody th[scope=row]").all_inner_texts()


def test_manager_filters_assigns_a_course_and_downloads_the_csv(new_page, screenshot_dir, tmp_path):
    today = timezone.localdate()
    organisation = OrganisationFactory(name="Little Acorns Nursery")
    north = Team.objects.create(organisation=organisation, name="Baby room")
    south = Team.objects.create(organisation=organisation, name="Toddler room")
    manager = ManagerMembershipFactory(
        organisation=organisation,
        user=UserFactory(username="morgan", email="morgan@example.org"),
    ).user
    ProfileFactory(
        user=manager,
        full_name="Morgan Manager",
        professional_role=ProfessionalRole.OTHER,
        registration_body="",
        registration_number="",
    )
    safeguarding = create_course(title="Safeguarding babies", modules=1, lessons_per_module=1)
    attachment = create_course(title="Understanding attachment", modules=1, lessons_per_module=1)
    MandatoryRule.objects.create(organisation=organisation, course=safeguarding, roles=[])
    sam = _member(organisation, "Sam Baby-Room", team=north)
    pat = _member(organisation, "Pat Toddler-Room", team=south)
    for membership, days in ((sam, -5), (pat, 20)):
        Assignment.objects.create(
            organisation=organisation,
            user=membership.user,
            course=safeguarding,
            due_on=today + timedelta(days=days),
        )

    page = new_page()
    _log_in(page, manager.email)
    # The header links to the area (on narrow screens the link may sit under "More").
    assert page.locator('header a[href="/compliance/"]').count() == 1
    page.goto("/compliance/")
    page.wait_for_url(f"**/compliance/{organisation.pk}/")
    page.get_by_role("heading", name=re.compile("Staff compliance")).wait_for()
    assert _matrix_rows(page) == ["Morgan Manager", "Pat Toddler-Room", "Sam Baby-Room"]

    # Only the baby room, then only those overdue.
    page.get_by_label("Team").select_option(label="Baby room")
    page.get_by_label("Status").select_option(label="Overdue")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"status=overdue"))
    assert _matrix_rows(page) == ["Sam Baby-Room"]
    assert "Overdue" in page.locator(".imh-compliance-matrix tbody").inner_text()

    # Select Sam and assign the second course.
    page.get_by_label("Select Sam Baby-Room").check()
    page.get_by_role("button", name="Assign a course").click()
    page.wait_for_url(re.compile(r"/assign/\?member="))
    page.get_by_role("heading", name=re.compile("Assign to 1 member")).wait_for()
    page.get_by_label("Course or pathway").select_option(label="Understanding attachment")
    due = today + timedelta(days=45)
    page.get_by_label("Due date").fill(due.isoformat())
    page.get_by_role("button", name="Assign", exact=True).click()
    page.wait_for_url(f"**/compliance/{organisation.pk}/")

    banner = page.locator(".nhsuk-notification-banner--success")
    assert "Assigned Understanding attachment to 1 member of staff." in banner.inner_text()
    assignment = Assignment.objects.get(user=sam.user, course=attachment)
    assert assignment.due_on == due
    assert assignment.source == Assignment.Source.MANAGER
    assert Enrolment.objects.filter(user=sam.user, course=attachment).exists()
    # The new column: Sam has not started it, due on the chosen date; Pat is not assigned it.
    headings = page.locator(".imh-compliance-matrix thead th").all_inner_texts()
    assert any("Understanding attachment" in heading for heading in headings)
    sam_row = page.locator(".imh-compliance-matrix tbody tr", has_text="Sam Baby-Room")
    assert "Not started" in sam_row.inner_text()
    assert f"Due {due.day} {due:%B %Y}" in sam_row.inner_text()
    page.screenshot(path=str(screenshot_dir / "compliance-dashboard.png"), full_page=True)

    # Filter again and download what is shown.
    page.get_by_label("Team").select_option(label="Baby room")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"team="))
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("as CSV")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = saved.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    flat = "\n".join(",".join(row) for row in rows)
    assert "Sam Baby-Room" in flat
    assert "Pat Toddler-Room" not in flat
    assert "Understanding attachment" in flat
    assert "Safeguarding babies" in flat
