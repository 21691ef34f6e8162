"""Employers see staff's observation reliability status: dashboard, member page, exports.

Statuses come from ``imh_reliability.standing``: current, expiring (within
IMH_RELIABILITY_EXPIRING_DAYS of expiry), expired, not passed yet, not taken. Managers see the
status and its date, never ratings or scores.
"""

from __future__ import annotations

import csv
import datetime
import io
from types import SimpleNamespace

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from imh_accounts.choices import ProfessionalRole
from imh_compliance.models import Report
from imh_compliance.tasks import reports as report_tasks
from imh_reliability.standing import Status, standing_for, standings, status_for
from tests.accounts.factories import ProfileFactory
from tests.certificates.pdftools import pdf_text, requires_poppler
from tests.factories import UserFactory
from tests.organisations.factories import (
    ManagerMembershipFactory,
    MembershipFactory,
    OrganisationFactory,
)
from tests.reliability.integration_factories import reliability_test, result

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture
def frozen():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, 0), tick=False):
        yield


# The status rules, without the database.


@pytest.mark.parametrize(
    ("valid_until", "submitted", "expected"),
    [
        (None, False, Status.NOT_TAKEN),
        (None, True, Status.NOT_PASSED),
        (TODAY - datetime.timedelta(days=1), True, Status.EXPIRED),
        (TODAY, True, Status.EXPIRING),  # current up to and including its expiry date
        (TODAY + datetime.timedelta(days=60), True, Status.EXPIRING),
        (TODAY + datetime.timedelta(days=61), True, Status.CURRENT),
    ],
)
def test_status_boundaries(valid_until, submitted, expected):
    assert (
        status_for(valid_until=valid_until, submitted=submitted, today=TODAY, expiring_days=60)
        == expected
    )


def test_standings_for_many_people_in_one_query(frozen, django_assert_num_queries):
    test = reliability_test(title="Cues reliability")
    other = reliability_test(title="Another test")
    current, expiring, expired, failed, untried = (UserFactory() for _ in range(5))
    result(user=current, test=test, expires_on=TODAY + datetime.timedelta(days=400))
    result(user=expiring, test=test, expires_on=TODAY + datetime.timedelta(days=20))
    result(user=expired, test=test, expires_on=TODAY - datetime.timedelta(days=3))
    result(user=failed, test=test, passed=False)
    # A later failure does not take away a current pass.
    result(user=current, test=test, passed=False)
    people = [current, expiring, expired, failed, untried]

    with django_assert_num_queries(1):
        table = standings(user_ids=[person.pk for person in people], tests=[test, other])

    assert [table[person.pk][0].status for person in people] == [
        Status.CURRENT,
        Status.EXPIRING,
        Status.EXPIRED,
        Status.NOT_PASSED,
        Status.NOT_TAKEN,
    ]
    assert {row[1].status for row in table.values()} == {Status.NOT_TAKEN}
    assert table[expired.pk][0].valid_until == TODAY - datetime.timedelta(days=3)
    assert table[expired.pk][0].detail == "expired 27 February 2026"
    assert table[current.pk][0].detail.startswith("valid until ")


def test_the_expiring_window_is_a_setting(frozen):
    test = reliability_test()
    person = UserFactory()
    result(user=person, test=test, expires_on=TODAY + datetime.timedelta(days=20))
    assert standing_for(user=person, test=test).status == Status.EXPIRING
    with override_settings(IMH_RELIABILITY_EXPIRING_DAYS=10):
        assert standing_for(user=person, test=test).status == Status.CURRENT


def test_only_live_tests_are_listed_by_default(frozen):
    reliability_test(title="Live one")
    reliability_test(title="Draft", live=False)
    person = UserFactory()
    [standing] = standings(user_ids=[person.pk])[person.pk]
    assert standing.test_title == "Live one"


# What the manager sees.


@pytest.fixture
def staffed(frozen):
    organisation = OrganisationFactory(name="Riverside Nursery")
    manager = ManagerMembershipFactory(organisation=organisation).user
    test = reliability_test(title="Cues reliability")
    people = {}
    for name, expires in [
        ("Ava Current", TODAY + datetime.timedelta(days=300)),
        ("Ben Expiring", TODAY + datetime.timedelta(days=14)),
        ("Cal Expired", TODAY - datetime.timedelta(days=5)),
        ("Dee Untried", None),
    ]:
        membership = MembershipFactory(organisation=organisation)
        ProfileFactory(
            user=membership.user,
            full_name=name,
            professional_role=ProfessionalRole.HEALTH_VISITOR,
            registration_body="",
            registration_number="",
        )
        if expires:
            result(user=membership.user, test=test, expires_on=expires)
        people[name] = membership
    return SimpleNamespace(organisation=organisation, manager=manager, test=test, people=people)


def test_the_dashboard_shows_each_persons_reliability_status(client, staffed):
    organisation, manager = staffed.organisation, staffed.manager
    client.force_login(manager)
    response = client.get(reverse("imh_compliance:dashboard", args=[organisation.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Cues reliability" in page
    assert "Observation reliability" in page
    for status in ("current", "expiring", "expired", "not_taken"):
        assert f'data-reliability-status="{status}"' in page
    assert "Valid until 16 March 2026" in page
    # Status only: no scores.
    assert "91.67" not in page
    assert "0.8765" not in page


def test_the_dashboard_has_no_reliability_columns_without_live_tests(client, frozen):
    organisation = OrganisationFactory()
    manager = ManagerMembershipFactory(organisation=organisation).user
    MembershipFactory(organisation=organisation)
    reliability_test(title="Draft test", live=False)
    client.force_login(manager)
    page = client.get(reverse("imh_compliance:dashboard", args=[organisation.pk])).content
    assert b"data-reliability-status" not in page
    assert b"Draft test" not in page


def test_the_member_page_shows_their_reliability_status(client, staffed):
    organisation, manager = staffed.organisation, staffed.manager
    client.force_login(manager)
    membership = staffed.people["Ben Expiring"]
    response = client.get(reverse("imh_compliance:member", args=[organisation.pk, membership.pk]))
    page = response.content.decode()
    assert "Observation reliability" in page
    assert 'data-reliability-status="expiring"' in page
    assert "Their ratings and the clips are not shown to employers." in page
    assert "91.67" not in page


def _csv(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    return list(csv.reader(io.StringIO(body[1:])))


def test_the_csv_export_has_status_and_valid_until_per_test(client, staffed):
    organisation, manager = staffed.organisation, staffed.manager
    client.force_login(manager)
    rows = _csv(client.get(reverse("imh_compliance:export_csv", args=[organisation.pk])))
    heading = rows[0]
    status_at = heading.index("Reliability test Cues reliability: status")
    assert heading[status_at + 1] == "Reliability test Cues reliability: valid until"
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Ava Current"][status_at : status_at + 2] == ["Current", "2026-12-27"]
    assert by_name["Ben Expiring"][status_at : status_at + 2] == ["Expiring soon", "2026-03-16"]
    assert by_name["Cal Expired"][status_at : status_at + 2] == [
        "Expired, re-test needed",
        "2026-02-25",
    ]
    assert by_name["Dee Untried"][status_at : status_at + 2] == ["Not taken", ""]


def test_the_spreadsheet_export_has_the_same_columns(client, staffed):
    organisation, manager = staffed.organisation, staffed.manager
    client.force_login(manager)
    response = client.get(reverse("imh_compliance:export_xlsx", args=[organisation.pk]))
    sheet = load_workbook(io.BytesIO(response.content))["Compliance"]
    rows = list(sheet.iter_rows(values_only=True))
    status_at = rows[0].index("Reliability test Cues reliability: status")
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Ben Expiring"][status_at] == "Expiring soon"
    assert by_name["Ben Expiring"][status_at + 1].date() == datetime.date(2026, 3, 16)
    assert by_name["Dee Untried"][status_at] == "Not taken"


def test_another_organisations_manager_sees_nothing(client, staffed):
    organisation = staffed.organisation
    stranger = ManagerMembershipFactory(organisation=OrganisationFactory()).user
    client.force_login(stranger)
    response = client.get(reverse("imh_compliance:dashboard", args=[organisation.pk]))
    assert response.status_code == 404


@requires_poppler
def test_the_inspection_report_has_a_column_per_live_test(staffed):
    organisation, manager = staffed.organisation, staffed.manager
    report = Report.objects.create(organisation=organisation, requested_by=manager)
    assert report_tasks.compliance_report_render_task.call(report.pk) == "ready"
    report.refresh_from_db()
    text = pdf_text(report.pdf.read())
    assert "Cues reliability (observation reliability)" in text
    assert "Current, to 27 Dec 2026" in text
    assert "Expiring soon, to 16 Mar 2026" in text
    assert "Expired, re-test needed 25 Feb 2026" in text
    assert "Not taken" in text
    assert "91.67" not in text  # status only, never scores
