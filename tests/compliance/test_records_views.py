"""A member's record: the manager's page, the member's own view of it, and consent."""

from __future__ import annotations

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from imh_compliance.models import AccessEvent
from imh_compliance.records import member_record
from imh_organisations import services as organisation_services
from imh_organisations.models import Membership
from tests.certificates.factories import CertificateFactory
from tests.compliance.records_fixtures import World, assign, competency_evidence
from tests.courses.factories import create_course
from tests.organisations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def member_url(organisation, membership):
    return reverse("imh_compliance:member", args=[organisation.pk, membership.pk])


def my_record_url(membership):
    return reverse("imh_compliance:my_record", args=[membership.pk])


def record_html(membership) -> str:
    """The shared include as both pages render it."""
    membership = Membership.objects.select_related(
        "organisation", "user", "user__profile", "team", "site"
    ).get(pk=membership.pk)
    return render_to_string(
        "imh_compliance/records/includes/record.html",
        {"record": member_record(membership=membership)},
    )


class TestManagerView:
    def test_shows_the_record_and_writes_one_audit_row_per_view(self, client, world):
        course = create_course(title="Safeguarding babies", modules=1, lessons_per_module=1)
        due = timezone.localdate() + datetime.timedelta(days=20)
        assign(
            organisation=world.organisation,
            user=world.member,
            course=course,
            due_on=due,
            by=world.manager,
        )
        certificate = CertificateFactory(holder=world.member, title="Attachment in practice")
        team = organisation_services.team_create(
            organisation=world.organisation, actor=world.manager, name="Health visiting"
        )
        organisation_services.membership_set_placement(
            membership=world.membership, actor=world.manager, team=team, site=None
        )
        client.force_login(world.manager)

        response = client.get(member_url(world.organisation, world.membership))

        assert response.status_code == 200
        content = response.content.decode()
        assert "Sam Staff" in content
        assert world.member.email in content
        assert "Health visiting" in content
        assert "Safeguarding babies" in content
        assert "Not started" in content
        assert "Morgan Manager" in content  # who assigned it
        assert certificate.code in content
        assert reverse("imh_certificates:verify_code", args=[certificate.code]) in content
        assert "Sam Staff has not chosen to share their competency profile" in content
        assert (
            f"{reverse('imh_compliance:assign', args=[world.organisation.pk])}"
            f"?member={world.member.pk}" in content
        )
        assert (
            reverse(
                "imh_compliance:member_placement", args=[world.organisation.pk, world.membership.pk]
            )
            in content
        )

        event = AccessEvent.objects.get()
        assert event.organisation == world.organisation
        assert event.viewer == world.manager
        assert event.viewer_name == "Morgan Manager"
        assert event.member == world.member
        assert event.member_name == "Sam Staff"
        assert event.action == AccessEvent.Action.VIEWED_RECORD

        client.get(member_url(world.organisation, world.membership))
        assert AccessEvent.objects.count() == 2

    @pytest.mark.parametrize("who", ["other_manager", "member", "anonymous"])
    def test_only_managers_of_the_organisation(self, client, world, who):
        if who != "anonymous":
            client.force_login(getattr(world, who))
        response = client.get(member_url(world.organisation, world.membership))
        assert response.status_code == (302 if who == "anonymous" else 404)
        assert not AccessEvent.objects.exists()

    def test_a_membership_of_another_organisation_is_404(self, client, world):
        client.force_login(world.manager)
        response = client.get(member_url(world.organisation, world.other_membership))
        assert response.status_code == 404
        response = client.get(member_url(world.other_organisation, world.other_membership))
        assert response.status_code == 404
        assert not AccessEvent.objects.exists()

    @pytest.mark.parametrize("status", [Membership.Status.PENDING, Membership.Status.LEFT])
    def test_pending_and_former_members_are_404(self, client, world, status):
        membership = MembershipFactory(organisation=world.organisation, status=status)
        client.force_login(world.manager)
        assert client.get(member_url(world.organisation, membership)).status_code == 404

    def test_leaving_ends_the_managers_access_and_the_members_page(self, client, world):
        client.force_login(world.manager)
        assert client.get(member_url(world.organisation, world.membership)).status_code == 200
        organisation_services.membership_leave(membership=world.membership, actor=world.member)
        assert client.get(member_url(world.organisation, world.membership)).status_code == 404
        client.force_login(world.member)
        assert client.get(my_record_url(world.membership)).status_code == 404

    def test_query_count_does_not_grow_with_the_record(
        self, client, world, django_assert_max_num_queries
    ):
        for number in range(3):
            course = create_course(
                title=f"Course {number}", modules=1, lessons_per_module=1, slug=f"c-{number}"
            )
            assign(
                organisation=world.organisation,
                user=world.member,
                course=course,
                due_on=timezone.localdate(),
            )
            CertificateFactory(holder=world.member, title=f"Certificate {number}")
        client.force_login(world.manager)
        with django_assert_max_num_queries(40):
            assert client.get(member_url(world.organisation, world.membership)).status_code == 200


class TestConsent:
    def test_profile_appears_only_after_the_member_agrees(self, client, world):
        competency_evidence(world.member, short_name="Attunement", title="Attachment quiz")
        client.force_login(world.manager)
        content = client.get(member_url(world.organisation, world.membership)).content.decode()
        assert "Attunement" not in content
        assert "has not chosen to share their competency profile" in content

        client.force_login(world.member)
        response = client.post(
            reverse("imh_compliance:my_record_sharing", args=[world.membership.pk]),
            {"shares": "yes"},
        )
        assert response.status_code == 302
        world.membership.refresh_from_db()
        assert world.membership.shares_competency_profile is True

        client.force_login(world.manager)
        content = client.get(member_url(world.organisation, world.membership)).content.decode()
        assert "Attunement" in content
        assert "Attachment quiz" in content
        assert "has not chosen to share" not in content

        # Sharing with one organisation shares nothing with another.
        other = MembershipFactory(organisation=world.other_organisation, user=world.member)
        client.force_login(world.other_manager)
        content = client.get(member_url(world.other_organisation, other)).content.decode()
        assert "Attunement" not in content

    def test_member_can_withdraw_consent(self, client, world):
        competency_evidence(world.member, short_name="Attunement")
        world.membership.shares_competency_profile = True
        world.membership.save()
        client.force_login(world.member)
        client.post(
            reverse("imh_compliance:my_record_sharing", args=[world.membership.pk]),
            {"shares": "no"},
        )
        client.force_login(world.manager)
        content = client.get(member_url(world.organisation, world.membership)).content.decode()
        assert "Attunement" not in content

    def test_a_missing_or_unknown_choice_is_an_error_and_changes_nothing(self, client, world):
        client.force_login(world.member)
        url = reverse("imh_compliance:my_record_sharing", args=[world.membership.pk])
        for data in ({}, {"shares": "maybe"}):
            response = client.post(url, data)
            assert response.status_code == 200
            assert "There is a problem" in response.content.decode()
        world.membership.refresh_from_db()
        assert world.membership.shares_competency_profile is False

    def test_nobody_can_change_another_persons_consent(self, client, world):
        client.force_login(world.manager)
        url = reverse("imh_compliance:my_record_sharing", args=[world.membership.pk])
        assert client.post(url, {"shares": "yes"}).status_code == 404
        world.membership.refresh_from_db()
        assert world.membership.shares_competency_profile is False


class TestMembersOwnView:
    def test_lists_active_memberships(self, client, world):
        other = MembershipFactory(organisation=world.other_organisation, user=world.member)
        MembershipFactory(user=world.member, status=Membership.Status.LEFT)
        client.force_login(world.member)
        response = client.get(reverse("imh_compliance:my_records"))
        content = response.content.decode()
        assert my_record_url(world.membership) in content
        assert my_record_url(other) in content
        assert content.count('href="/compliance/my-record/') == 2

    def test_shows_exactly_what_the_manager_sees_and_writes_no_audit_row(self, client, world):
        course = create_course(title="Safeguarding babies", modules=1, lessons_per_module=1)
        assign(
            organisation=world.organisation,
            user=world.member,
            course=course,
            due_on=timezone.localdate() - datetime.timedelta(days=1),
            by=world.manager,
        )
        CertificateFactory(holder=world.member, title="Attachment in practice")
        competency_evidence(world.member)
        world.membership.shares_competency_profile = True
        world.membership.save()
        expected = record_html(world.membership)
        assert "Safeguarding babies" in expected
        assert "Overdue" in expected

        client.force_login(world.manager)
        manager_page = client.get(member_url(world.organisation, world.membership))
        client.force_login(world.member)
        own_page = client.get(my_record_url(world.membership))

        assert expected in manager_page.content.decode()
        own = own_page.content.decode()
        assert expected in own
        assert "This is what the managers of Riverside Nursery can see about you" in own
        # Manager actions are not on the member's page.
        assert reverse("imh_compliance:assign", args=[world.organisation.pk]) not in own
        assert AccessEvent.objects.count() == 1  # the manager's view only

    def test_shows_who_viewed_the_record_in_this_organisation_only(self, client, world):
        other = MembershipFactory(organisation=world.other_organisation, user=world.member)
        client.force_login(world.manager)
        client.get(member_url(world.organisation, world.membership))
        client.force_login(world.other_manager)
        client.get(member_url(world.other_organisation, other))

        client.force_login(world.member)
        content = client.get(my_record_url(world.membership)).content.decode()
        assert "Morgan Manager" in content
        assert "Olly Other" not in content
        content = client.get(my_record_url(other)).content.decode()
        assert "Olly Other" in content
        assert "Morgan Manager" not in content

    def test_someone_elses_membership_is_404(self, client, world):
        client.force_login(world.member)
        assert client.get(my_record_url(world.other_membership)).status_code == 404
        client.force_login(world.manager)
        assert client.get(my_record_url(world.membership)).status_code == 404

    def test_pending_membership_is_404(self, client, world):
        pending = MembershipFactory(
            organisation=world.other_organisation,
            user=world.member,
            status=Membership.Status.PENDING,
        )
        client.force_login(world.member)
        assert client.get(my_record_url(pending)).status_code == 404

    def test_your_organisations_page_links_to_it(self, client, world):
        world.membership.shares_competency_profile = True
        world.membership.save()
        client.force_login(world.member)
        content = client.get(reverse("imh_organisations:mine")).content.decode()
        assert my_record_url(world.membership) in content
        assert "What your managers can see" in content
        assert "You share your competency profile" in content

    def test_the_managers_organisation_page_links_to_staff_compliance(self, client, world):
        # Organisations sits below compliance, so the link comes through the page-links hook.
        client.force_login(world.manager)
        content = client.get(
            reverse("imh_organisations:manage", args=[world.organisation.pk])
        ).content.decode()
        dashboard = reverse("imh_compliance:dashboard", args=[world.organisation.pk])
        assert f'href="{dashboard}">Staff compliance</a>' in content


class TestPlacement:
    def test_form_offers_only_this_organisations_teams_and_saves(self, client, world):
        team = organisation_services.team_create(
            organisation=world.organisation, actor=world.manager, name="North team"
        )
        organisation_services.team_create(
            organisation=world.other_organisation, actor=world.other_manager, name="Foreign team"
        )
        url = reverse(
            "imh_compliance:member_placement", args=[world.organisation.pk, world.membership.pk]
        )
        client.force_login(world.manager)
        content = client.get(url).content.decode()
        assert "North team" in content
        assert "Foreign team" not in content

        response = client.post(url, {"team": team.pk, "site": ""})
        assert response.status_code == 302
        world.membership.refresh_from_db()
        assert world.membership.team == team

    def test_another_organisations_team_id_is_a_form_error(self, client, world):
        foreign = organisation_services.team_create(
            organisation=world.other_organisation, actor=world.other_manager, name="Foreign team"
        )
        url = reverse(
            "imh_compliance:member_placement", args=[world.organisation.pk, world.membership.pk]
        )
        client.force_login(world.manager)
        response = client.post(url, {"team": foreign.pk, "site": ""})
        assert response.status_code == 200
        assert "Choose a team of this organisation." in response.content.decode()
        world.membership.refresh_from_db()
        assert world.membership.team is None

    def test_another_organisations_membership_id_is_404(self, client, world):
        client.force_login(world.manager)
        url = reverse(
            "imh_compliance:member_placement",
            args=[world.organisation.pk, world.other_membership.pk],
        )
        assert client.get(url).status_code == 404
        assert client.post(url, {"team": "", "site": ""}).status_code == 404
        client.force_login(world.other_manager)
        url = reverse(
            "imh_compliance:member_placement", args=[world.organisation.pk, world.membership.pk]
        )
        assert client.get(url).status_code == 404
