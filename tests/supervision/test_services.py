"""Pairs, sessions, confirmation, evidence and the selectors other apps call."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from imh_competencies.models import Evidence
from imh_supervision import selectors, services
from imh_supervision.models import Participant, SupervisionPair
from tests.factories import UserFactory
from tests.organisations.factories import MembershipFactory
from tests.supervision.conftest import record

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_today")]


@pytest.fixture
def _today():
    with time_machine.travel(datetime.datetime(2026, 4, 1, 12, tzinfo=datetime.UTC), tick=False):
        yield


class TestPairs:
    def test_supervisor_must_be_named_supervisor(self, world):
        with pytest.raises(ValidationError) as error:
            services.pair_create(
                organisation=world.organisation,
                supervisor=world.colleague,
                supervisee=world.trainee,
                actor=world.manager,
            )
        assert "supervisor" in error.value.message_dict

    def test_supervisee_must_be_active_member(self, world):
        outsider = UserFactory()
        with pytest.raises(ValidationError) as error:
            services.pair_create(
                organisation=world.organisation,
                supervisor=world.supervisor,
                supervisee=outsider,
                actor=world.manager,
            )
        assert "supervisee" in error.value.message_dict

    def test_one_active_pair(self, world):
        with pytest.raises(ValidationError):
            services.pair_create(
                organisation=world.organisation,
                supervisor=world.supervisor,
                supervisee=world.trainee,
                actor=world.manager,
            )

    def test_database_refuses_self_pair(self, world):
        with pytest.raises(IntegrityError):
            SupervisionPair.objects.create(
                organisation=world.organisation,
                supervisor=world.supervisor,
                supervisee=world.supervisor,
            )

    def test_only_managers_pair(self, world):
        with pytest.raises(PermissionDenied):
            services.pair_create(
                organisation=world.organisation,
                supervisor=world.supervisor,
                supervisee=world.colleague,
                actor=world.trainee,
            )

    def test_ended_pair_can_be_paired_again(self, world):
        services.pair_end(pair=world.pair, actor=world.manager)
        services.pair_create(
            organisation=world.organisation,
            supervisor=world.supervisor,
            supervisee=world.trainee,
            actor=world.manager,
        )
        assert SupervisionPair.objects.filter(supervisee=world.trainee).count() == 2


class TestSessions:
    def test_recording_confirms_for_recorder_and_emails_others(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            session = record(world)
        statuses = dict(session.participants.values_list("user_id", "status"))
        assert statuses == {world.supervisor.pk: "confirmed", world.trainee.pk: "pending"}
        assert not session.is_confirmed
        assert [m.to for m in mail.outbox] == [[world.trainee.email]]
        assert f"/supervision/sessions/{session.pk}/" in mail.outbox[0].body
        assert "crying" not in mail.outbox[0].body

    def test_counts_only_when_everyone_confirms(self, world):
        session = record(world, minutes=90)
        assert selectors.supervision_hours(user=world.trainee) == Decimal("0.00")
        services.session_confirm(session=session, actor=world.trainee)
        assert selectors.supervision_hours(user=world.trainee) == Decimal("1.50")
        # The supervisor gives supervision, they do not receive it.
        assert selectors.supervision_hours(user=world.supervisor) == Decimal("0.00")

    def test_group_needs_every_supervisee(self, world):
        session = record(world, kind="group", supervisees=[world.trainee, world.colleague])
        services.session_confirm(session=session, actor=world.trainee)
        session.refresh_from_db()
        assert not session.is_confirmed
        services.session_confirm(session=session, actor=world.colleague)
        session.refresh_from_db()
        assert session.is_confirmed

    def test_supervisee_may_record_and_supervisor_confirms(self, world):
        session = record(world, actor=world.trainee)
        services.session_confirm(session=session, actor=world.supervisor)
        session.refresh_from_db()
        assert session.is_confirmed

    def test_group_needs_two_and_one_to_one_one(self, world):
        with pytest.raises(ValidationError) as error:
            record(world, kind="group", supervisees=[world.trainee])
        assert "supervisees" in error.value.message_dict
        with pytest.raises(ValidationError):
            record(world, kind="one_to_one", supervisees=[world.trainee, world.colleague])

    @pytest.mark.parametrize("minutes", [14, 481])
    def test_duration_range(self, world, minutes):
        with pytest.raises(ValidationError) as error:
            record(world, minutes=minutes)
        assert "duration_minutes" in error.value.message_dict

    def test_unpaired_supervisee_refused(self, world):
        stranger = UserFactory()
        MembershipFactory(user=stranger, organisation=world.organisation)
        with pytest.raises(ValidationError):
            record(world, supervisees=[stranger])

    def test_outsider_cannot_record_or_confirm(self, world):
        with pytest.raises(PermissionDenied):
            record(world, actor=world.manager)
        session = record(world)
        with pytest.raises(PermissionDenied):
            services.session_confirm(session=session, actor=world.manager)

    def test_dispute_needs_reason_and_stops_counting(self, world):
        session = record(world)
        services.session_confirm(session=session, actor=world.trainee)
        with pytest.raises(ValidationError):
            services.session_dispute(session=session, actor=world.trainee, reason=" ")
        services.session_dispute(session=session, actor=world.trainee, reason="It was 60 minutes")
        session.refresh_from_db()
        assert not session.is_confirmed
        assert selectors.supervision_hours(user=world.trainee) == 0

    def test_editing_resets_confirmations(self, world):
        session = record(world)
        services.session_confirm(session=session, actor=world.trainee)
        services.session_update(
            session=session,
            actor=world.supervisor,
            held_on=datetime.date(2026, 3, 2),
            duration_minutes=60,
            competencies=[world.competency],
        )
        statuses = dict(session.participants.values_list("user_id", "status"))
        assert statuses[world.trainee.pk] == Participant.Status.PENDING
        assert statuses[world.supervisor.pk] == Participant.Status.CONFIRMED
        assert selectors.supervision_hours(user=world.trainee) == 0


class TestEvidence:
    def test_confirmed_session_writes_supervision_evidence(self, world):
        session = record(world)
        assert not Evidence.objects.filter(user=world.trainee).exists()
        services.session_confirm(session=session, actor=world.trainee)
        evidence = Evidence.objects.get(user=world.trainee)
        assert evidence.kind == Evidence.Kind.SUPERVISION
        assert evidence.competency == world.competency
        assert evidence.level == 1
        assert "crying" not in evidence.title + evidence.detail

    def test_dispute_and_delete_withdraw_evidence(self, world):
        session = record(world)
        services.session_confirm(session=session, actor=world.trainee)
        services.session_dispute(session=session, actor=world.supervisor, reason="Wrong date")
        assert not Evidence.objects.filter(user=world.trainee).exists()
        services.session_confirm(session=session, actor=world.supervisor)
        assert Evidence.objects.filter(user=world.trainee).exists()
        services.session_delete(session=session, actor=world.supervisor)
        assert not Evidence.objects.filter(user=world.trainee).exists()


class TestSelectorsForOtherApps:
    def test_sessions_confirmed_newest_first_with_competencies(self, world):
        older = record(world, held_on=datetime.date(2026, 1, 5), minutes=60)
        newer = record(
            world,
            kind="group",
            supervisees=[world.trainee, world.colleague],
            held_on=datetime.date(2026, 3, 9),
            minutes=45,
        )
        for session in (older, newer):
            for person in (world.trainee, world.colleague):
                if session.participants.filter(user=person).exists():
                    services.session_confirm(session=session, actor=person)
        rows = selectors.supervision_sessions_confirmed(user=world.trainee)
        assert [row.pk for row in rows] == [newer.pk, older.pk]
        assert rows[0].kind == "group"
        assert rows[0].hours == Decimal("0.75")
        assert list(rows[0].competencies.all()) == [world.competency]
        assert not hasattr(rows[0], "notes")
        since = selectors.supervision_sessions_confirmed(
            user=world.trainee, since=datetime.date(2026, 2, 1)
        )
        assert [row.pk for row in since] == [newer.pk]
        assert selectors.supervision_hours(
            user=world.trainee, since=datetime.date(2026, 2, 1)
        ) == Decimal("0.75")


class TestDataRights:
    def test_export_has_own_sessions(self, world):
        session = record(world)
        data = selectors.user_data_export(world.trainee)
        assert data["sessions"][0]["held_on"] == session.held_on.isoformat()
        assert data["pairs"][0]["role"] == "supervisee"

    def test_erase_supervisee(self, world):
        session = record(world)
        services.session_confirm(session=session, actor=world.trainee)
        services.supervision_data_erase_for_user(user=world.trainee)
        assert not SupervisionPair.objects.filter(supervisee=world.trainee).exists()
        assert not Participant.objects.filter(user=world.trainee).exists()
        assert not Evidence.objects.filter(user=world.trainee).exists()
