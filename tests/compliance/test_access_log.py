"""The organisation's access log, as its managers read it."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from imh_compliance.models import AccessEvent
from imh_compliance.services.audit import access_event_record
from tests.compliance.records_fixtures import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def log_url(organisation):
    return reverse("imh_compliance:access_log", args=[organisation.pk])


def test_lists_this_organisations_events_newest_first(client, world):
    older = access_event_record(
        organisation=world.organisation,
        viewer=world.manager,
        action=AccessEvent.Action.EXPORTED,
        detail="CSV of 12 members",
    )
    AccessEvent.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1)
    )
    access_event_record(
        organisation=world.organisation,
        viewer=world.manager,
        action=AccessEvent.Action.VIEWED_RECORD,
        member=world.member,
    )
    access_event_record(
        organisation=world.other_organisation,
        viewer=world.other_manager,
        action=AccessEvent.Action.VIEWED_RECORD,
        member=world.other_membership.user,
    )
    client.force_login(world.manager)
    response = client.get(log_url(world.organisation))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Sam Staff" in content
    assert "CSV of 12 members" in content
    assert content.index("Viewed a member&#x27;s record") < content.index("Exported")
    assert "Pat Elsewhere" not in content
    assert "Olly Other" not in content
    assert 'aria-current="page">Access log' in content


def test_a_manager_viewing_a_record_appears_in_the_log(client, world):
    client.force_login(world.manager)
    client.get(reverse("imh_compliance:member", args=[world.organisation.pk, world.membership.pk]))
    content = client.get(log_url(world.organisation)).content.decode()
    assert "Morgan Manager" in content
    assert "Sam Staff" in content


@pytest.mark.parametrize("who", ["other_manager", "member"])
def test_other_organisations_managers_and_staff_get_404(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(log_url(world.organisation)).status_code == 404


def test_anonymous_is_sent_to_log_in(client, world):
    response = client.get(log_url(world.organisation))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_filter_by_members_name(client, world):
    access_event_record(
        organisation=world.organisation,
        viewer=world.manager,
        action=AccessEvent.Action.VIEWED_RECORD,
        member=world.member,
    )
    access_event_record(
        organisation=world.organisation,
        viewer=world.manager,
        action=AccessEvent.Action.VIEWED_RECORD,
        member=world.manager,
    )
    client.force_login(world.manager)
    response = client.get(log_url(world.organisation), {"q": "sam"})
    assert [event.member_name for event in response.context["page"].object_list] == ["Sam Staff"]
    assert 'value="sam"' in response.content.decode()
    content = client.get(log_url(world.organisation), {"q": "nobody"}).content.decode()
    assert "No entries for members whose name contains" in content


def test_paginated_by_fifty_in_a_constant_number_of_queries(client, world):
    AccessEvent.objects.bulk_create(
        AccessEvent(
            organisation=world.organisation,
            viewer=world.manager,
            viewer_name="Morgan Manager",
            member=world.member,
            member_name=f"Member {number:03d}",
            action=AccessEvent.Action.VIEWED_RECORD,
            created_at=timezone.now() - datetime.timedelta(minutes=number),
        )
        for number in range(60)
    )
    client.force_login(world.manager)
    with CaptureQueriesContext(connection) as many:
        first = client.get(log_url(world.organisation)).content.decode()
    assert "Member 000" in first
    assert "Member 049" in first
    assert "Member 050" not in first
    assert "page=2" in first
    second = client.get(log_url(world.organisation), {"page": 2}).content.decode()
    assert "Member 050" in second
    assert "Member 059" in second
    # An unknown page is the last page, not an error.
    assert client.get(log_url(world.organisation), {"page": "x"}).status_code == 200

    AccessEvent.objects.exclude(member_name__in=["Member 000", "Member 001"]).delete()
    with CaptureQueriesContext(connection) as few:
        client.get(log_url(world.organisation))
    assert len(many.captured_queries) == len(few.captured_queries) <= 20
