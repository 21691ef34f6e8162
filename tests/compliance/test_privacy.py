"""What compliance adds to a person's data export, and what account deletion does to it."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from imh_accounts import privacy
from imh_accounts.services import account_delete
from imh_compliance.models import AccessEvent, Assignment, Digest, Reminder
from imh_compliance.privacy import DELETED_ACCOUNT_NAME, user_data_erase, user_data_export
from imh_compliance.services.audit import access_event_record
from tests.compliance.records_fixtures import World, assign
from tests.courses.factories import create_course
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


@pytest.fixture
def history(world):
    course = create_course(title="Safeguarding babies", modules=1, lessons_per_module=1)
    due = timezone.localdate() + datetime.timedelta(days=10)
    assignment = assign(
        organisation=world.organisation, user=world.member, course=course, due_on=due
    )
    managed = assign(
        organisation=world.organisation,
        user=world.manager,
        course=course,
        due_on=due,
    )
    Reminder.objects.create(
        organisation=world.organisation,
        user=world.member,
        assignment=assignment,
        kind=Reminder.Kind.MANUAL,
        sent_by=world.manager,
    )
    viewed = access_event_record(
        organisation=world.organisation,
        viewer=world.manager,
        action=AccessEvent.Action.VIEWED_RECORD,
        member=world.member,
    )
    return {"assignment": assignment, "managed": managed, "viewed": viewed}


def test_export_is_json_safe_and_complete(world, history):
    data = user_data_export(world.member)
    json.dumps(data)
    assert data["assignments"][0]["title"] == "Safeguarding babies"
    assert data["assignments"][0]["organisation"] == "Riverside Nursery"
    assert data["reminders_received"][0]["about"] == "Safeguarding babies"
    assert data["record_viewed_by"][0]["viewer"] == "Morgan Manager"
    manager_data = user_data_export(world.manager)
    assert manager_data["records_you_viewed"][0]["member"] == "Sam Staff"
    assert "compliance" in privacy.exporters()


def test_erase_deletes_the_persons_training_and_unnames_them_in_the_log(world, history):
    user_data_erase(world.member)
    assert not Assignment.objects.filter(user=world.member).exists()
    assert not Reminder.objects.filter(user=world.member).exists()
    event = AccessEvent.objects.get(pk=history["viewed"].pk)
    assert event.member is None
    assert event.member_name == DELETED_ACCOUNT_NAME
    assert event.viewer == world.manager  # the other party stays named
    assert event.viewer_name == "Morgan Manager"


def test_erasing_a_manager_keeps_what_they_did_for_others(world, history):
    history["assignment"].assigned_by = world.manager
    history["assignment"].save()
    Digest.objects.create(
        organisation=world.organisation, manager=world.manager, week_starting=timezone.localdate()
    )
    user_data_erase(world.manager)
    assignment = Assignment.objects.get(pk=history["assignment"].pk)
    assert assignment.assigned_by is None
    assert Reminder.objects.get(user=world.member).sent_by is None
    event = AccessEvent.objects.get(pk=history["viewed"].pk)
    assert event.viewer is None
    assert event.viewer_name == DELETED_ACCOUNT_NAME
    assert event.member_name == "Sam Staff"
    assert not Digest.objects.filter(manager=world.manager).exists()
    assert not Assignment.objects.filter(pk=history["managed"].pk).exists()


def test_account_deletion_runs_the_eraser(world, history):
    account_delete(user=world.member, password=DEFAULT_PASSWORD)
    assert not Assignment.objects.filter(pk=history["assignment"].pk).exists()
    assert AccessEvent.objects.get(pk=history["viewed"].pk).member_name == DELETED_ACCOUNT_NAME
