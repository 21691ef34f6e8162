"""Pages: my supervision, recording, confirming; managers' pages; the admin; the portfolio.

The reflective notes (SECRET) must never reach a manager: not on any page, not in the admin,
not in any export.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from imh_certificates.portfolio import portfolio_csv, portfolio_for
from imh_supervision import services
from imh_supervision.models import Participant, SupervisionSession
from tests.supervision.conftest import SECRET, record

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_today")]


@pytest.fixture
def _today():
    with time_machine.travel(datetime.datetime(2026, 4, 1, 12, tzinfo=datetime.UTC), tick=False):
        yield


class TestParticipantPages:
    def test_home_shows_hours_and_awaiting(self, client, world):
        session = record(world, minutes=90)
        client.force_login(world.trainee)
        content = client.get(reverse("imh_supervision:home")).content.decode()
        assert "Waiting for your confirmation" in content
        assert reverse("imh_supervision:session_detail", args=[session.pk]) in content
        services.session_confirm(session=session, actor=world.trainee)
        response = client.get(reverse("imh_supervision:home"))
        assert "1.5 hours" in response.content.decode()

    def test_supervisor_records_group_session(self, client, world):
        client.force_login(world.supervisor)
        response = client.post(
            reverse("imh_supervision:session_new"),
            {
                "kind": "group",
                "supervisees": [world.trainee.pk, world.colleague.pk],
                "held_on": "2026-03-30",
                "duration_minutes": "60",
                "themes": ["safeguarding", "trauma"],
                "competencies": [world.competency.pk],
                "notes": SECRET,
            },
        )
        session = SupervisionSession.objects.get()
        assert response.status_code == 302
        assert session.kind == "group"
        assert session.participants.count() == 3

    def test_invalid_duration_shows_error(self, client, world):
        client.force_login(world.supervisor)
        response = client.post(
            reverse("imh_supervision:session_new"),
            {
                "kind": "one_to_one",
                "supervisees": [world.trainee.pk],
                "held_on": "2026-03-30",
                "duration_minutes": "5",
            },
        )
        assert response.status_code == 200
        assert "Enter a duration between 15 minutes and 8 hours" in response.content.decode()
        assert not SupervisionSession.objects.exists()

    def test_supervisee_confirms_and_disputes(self, client, world):
        session = record(world)
        client.force_login(world.trainee)
        detail = reverse("imh_supervision:session_detail", args=[session.pk])
        assert SECRET in client.get(detail).content.decode()
        client.post(reverse("imh_supervision:session_confirm", args=[session.pk]))
        session.refresh_from_db()
        assert session.is_confirmed
        response = client.post(
            reverse("imh_supervision:session_dispute", args=[session.pk]), {"reason": ""}
        )
        assert response.status_code == 400
        client.post(
            reverse("imh_supervision:session_dispute", args=[session.pk]),
            {"reason": "It was shorter"},
        )
        assert Participant.objects.get(session=session, user=world.trainee).status == "disputed"

    def test_edit_page_warns_confirmations_restart(self, client, world):
        session = record(world)
        client.force_login(world.trainee)
        content = client.get(
            reverse("imh_supervision:session_edit", args=[session.pk])
        ).content.decode()
        assert "must confirm it again" in content

    def test_dashboard_link_only_with_pair(self, client, world):
        client.force_login(world.trainee)
        assert (
            reverse("imh_supervision:home")
            in client.get(reverse("imh_accounts:dashboard")).content.decode()
        )
        client.force_login(world.manager)
        assert (
            reverse("imh_supervision:home")
            not in client.get(reverse("imh_accounts:dashboard")).content.decode()
        )


class TestManagersNeverSeeReflections:
    @pytest.fixture
    def session(self, world):
        session = record(world, minutes=60, themes_other="Night waking")
        services.session_confirm(session=session, actor=world.trainee)
        services.reflection_save(session=session, actor=world.trainee, reflection="My own words")
        return session

    def test_session_page_is_404_for_manager(self, client, world, session):
        client.force_login(world.manager)
        for name in ("session_detail", "session_edit", "session_delete"):
            response = client.get(reverse(f"imh_supervision:{name}", args=[session.pk]))
            assert response.status_code == 404
        response = client.post(reverse("imh_supervision:session_confirm", args=[session.pk]))
        assert response.status_code == 404

    def test_manager_page_shows_dates_and_hours_only(self, client, world, session):
        client.force_login(world.manager)
        response = client.get(reverse("imh_supervision:manage", args=[world.organisation.pk]))
        content = response.content.decode()
        assert response.status_code == 200
        assert "1 hour" in content
        assert "2 Mar 2026" in content
        for private in (SECRET, "My own words", "Night waking", "Safeguarding"):
            assert private not in content

    def test_manager_csv_has_no_reflections(self, client, world, session):
        client.force_login(world.manager)
        response = client.get(reverse("imh_supervision:manage_csv", args=[world.organisation.pk]))
        content = response.content.decode()
        assert "2026-03-02" in content
        assert "Priya Shah" in content
        for private in (SECRET, "My own words", "Night waking", "safeguarding"):
            assert private.lower() not in content.lower()

    def test_other_organisations_manager_gets_404(self, client, world, session):
        client.force_login(world.trainee)
        response = client.get(reverse("imh_supervision:manage", args=[world.organisation.pk]))
        assert response.status_code == 404

    def test_manager_adds_and_ends_pair(self, client, world, session):
        services.pair_end(pair=world.pair, actor=world.manager)
        client.force_login(world.manager)
        response = client.post(
            reverse("imh_supervision:manage", args=[world.organisation.pk]),
            {
                "supervisor": world.supervisor.pk,
                "supervisee": world.trainee.pk,
                "starts_on": "2026-04-01",
            },
        )
        assert response.status_code == 302
        assert world.supervisor.supervision_pairs_as_supervisor.filter(is_active=True).count() == 2

    def test_manage_page_linked_from_organisation(self, client, world):
        client.force_login(world.manager)
        content = client.get(
            reverse("imh_organisations:manage", args=[world.organisation.pk])
        ).content.decode()
        assert reverse("imh_supervision:manage", args=[world.organisation.pk]) in content

    def test_admin_lists_sessions_without_reflections(self, client, admin_user, session):
        client.force_login(admin_user)
        response = client.get(reverse("supervision_sessions:index"))
        content = response.content.decode()
        assert response.status_code == 200
        assert "Confirmed" in content
        assert SECRET not in content
        assert "Night waking" not in content
        export = client.get(reverse("supervision_sessions:index") + "?export=csv")
        body = b"".join(export.streaming_content if export.streaming else [export.content])
        assert b"2026-03-02" in body
        assert SECRET.encode() not in body

    def test_admin_cannot_edit_session(self, client, admin_user, session):
        client.force_login(admin_user)
        response = client.get(reverse("supervision_sessions:edit", args=[session.pk]))
        assert response.status_code in (302, 403)
        assert SECRET not in response.content.decode()

    def test_admin_adds_pair_checking_membership(self, client, admin_user, world):
        client.force_login(admin_user)
        response = client.post(
            reverse("supervision_pairs:add"),
            {
                "organisation": world.organisation.pk,
                "supervisor": world.colleague.pk,
                "supervisee": world.trainee.pk,
                "starts_on": "2026-04-01",
                "is_active": "on",
            },
        )
        assert response.status_code == 200
        assert "named as a supervisor" in response.content.decode()


class TestPortfolio:
    def test_confirmed_hours_count_towards_cpd(self, world):
        session = record(world, minutes=90)
        before = portfolio_for(user=world.trainee).total_hours
        services.session_confirm(session=session, actor=world.trainee)
        portfolio = portfolio_for(user=world.trainee)
        assert portfolio.total_hours - before == 1.5
        assert portfolio.activity_hours == 1.5
        csv_text = portfolio_csv(user=world.trainee)
        assert "Reflective supervision" in csv_text
        assert "2026-03-02" in csv_text
        assert SECRET not in csv_text

    def test_unconfirmed_hours_do_not_count(self, world):
        record(world, minutes=90)
        assert portfolio_for(user=world.trainee).activity_hours == 0
