"""The admin's organisation and membership downloads: formula-like text is never run."""

from __future__ import annotations

import pytest
from django.urls import reverse

from imh_organisations.services import membership_create_active
from tests.factories import UserFactory
from tests.organisations.factories import OrganisationFactory
from tests.spreadsheets import RISKY_IDS, RISKY_VALUES, assert_plain_text, csv_rows, xlsx_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("risky", RISKY_VALUES, ids=RISKY_IDS)
def test_organisation_export_quotes_risky_names(admin_client, risky):
    OrganisationFactory(name=risky, ods_code="RR8")
    url = reverse("organisations_admin:index")

    [row] = csv_rows(admin_client.get(url, {"export": "csv"}))
    assert row["Name"] == f"'{risky}"
    assert row["ODS code"] == "RR8"

    [row] = xlsx_rows(admin_client.get(url, {"export": "xlsx"}))
    assert_plain_text(row["Name"], f"'{risky}")


@pytest.mark.parametrize("risky", RISKY_VALUES, ids=RISKY_IDS)
def test_membership_export_quotes_risky_names(admin_client, risky):
    organisation = OrganisationFactory(name=risky)
    member = UserFactory(email="export.me@example.org")
    membership_create_active(organisation=organisation, user=member, role="staff")
    url = reverse("organisation_memberships:index")

    rows = [
        row
        for row in csv_rows(admin_client.get(url, {"export": "csv"}))
        if row["Email"] == "export.me@example.org"
    ]
    assert [row["Organisation"] for row in rows] == [f"'{risky}"]

    [cell] = [
        row["Organisation"]
        for row in xlsx_rows(admin_client.get(url, {"export": "xlsx"}))
        if row["Email"].value == "export.me@example.org"
    ]
    assert_plain_text(cell, f"'{risky}")
