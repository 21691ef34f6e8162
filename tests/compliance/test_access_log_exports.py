"""The admin's access log download: text that starts like a formula is never run."""

from __future__ import annotations

import pytest
from django.urls import reverse

from imh_compliance.models import AccessEvent
from imh_compliance.services.audit import access_event_record
from tests.compliance.records_fixtures import World
from tests.spreadsheets import RISKY_IDS, RISKY_VALUES, assert_plain_text, csv_rows, xlsx_rows

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("risky", RISKY_VALUES, ids=RISKY_IDS)
def test_access_log_export_quotes_risky_text(client, admin_user, risky):
    world = World()
    world.member.last_name = risky
    world.member.save()
    access_event_record(
        organisation=world.organisation,
        viewer=world.manager,
        action=AccessEvent.Action.VIEWED_RECORD,
        member=world.member,
        detail=risky,
    )
    client.force_login(admin_user)
    url = reverse("compliance_access_events:index")

    [row] = csv_rows(client.get(url, {"export": "csv"}))
    assert row["Detail"] == f"'{risky}"
    assert row["Member name"].endswith(risky.strip())
    assert not row["Member name"].startswith(("=", "+", "-", "@", "\t", "\r"))
    assert row["Organisation"] == "Riverside Nursery"

    [row] = xlsx_rows(client.get(url, {"export": "xlsx"}))
    assert_plain_text(row["Detail"], f"'{risky}")
    assert row["Organisation"].value == "Riverside Nursery"
