"""Teams, sites, placing members in them, and the member's consent to share their profile."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from imh_organisations import services
from imh_organisations.models import Membership, Site, Team
from tests.organisations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


class TestTeamsAndSites:
    def test_manager_adds_a_team_and_a_site(self, organisation, manager):
        team = services.team_create(
            organisation=organisation, actor=manager, name="  Health  visiting "
        )
        site = services.site_create(organisation=organisation, actor=manager, name="Leeds clinic")
        assert team.organisation == organisation
        assert team.name == "Health visiting"
        assert site.organisation == organisation
        assert site.name == "Leeds clinic"

    def test_names_are_unique_in_an_organisation_whatever_the_case(
        self, organisation, manager, other_organisation, other_manager
    ):
        services.team_create(organisation=organisation, actor=manager, name="North")
        with pytest.raises(ValidationError) as error:
            services.team_create(organisation=organisation, actor=manager, name="north")
        assert "already has a team with this name" in " ".join(error.value.messages)
        # Another organisation may use the same name.
        services.team_create(organisation=other_organisation, actor=other_manager, name="North")
        assert Team.objects.filter(name__iexact="north").count() == 2

    def test_blank_name_is_refused(self, organisation, manager):
        with pytest.raises(ValidationError) as error:
            services.site_create(organisation=organisation, actor=manager, name="   ")
        assert "Enter a name." in error.value.messages
        assert not Site.objects.exists()

    def test_staff_and_other_managers_cannot_add_or_delete(
        self, organisation, manager, staff, other_manager
    ):
        for actor in (staff, other_manager):
            with pytest.raises(PermissionDenied):
                services.team_create(organisation=organisation, actor=actor, name="North")
        team = services.team_create(organisation=organisation, actor=manager, name="North")
        with pytest.raises(PermissionDenied):
            services.team_delete(team=team, actor=other_manager)
        assert Team.objects.filter(pk=team.pk).exists()

    def test_deleting_a_team_or_site_keeps_its_members(
        self, organisation, manager, staff_membership
    ):
        team = services.team_create(organisation=organisation, actor=manager, name="North")
        site = services.site_create(organisation=organisation, actor=manager, name="Clinic")
        services.membership_set_placement(
            membership=staff_membership, actor=manager, team=team, site=site
        )
        services.team_delete(team=team, actor=manager)
        services.site_delete(site=site, actor=manager)
        staff_membership.refresh_from_db()
        assert staff_membership.status == Membership.Status.ACTIVE
        assert staff_membership.team is None
        assert staff_membership.site is None


class TestPlacement:
    def test_manager_places_a_member(self, organisation, manager, staff_membership):
        team = services.team_create(organisation=organisation, actor=manager, name="North")
        services.membership_set_placement(
            membership=staff_membership, actor=manager, team=team, site=None
        )
        staff_membership.refresh_from_db()
        assert staff_membership.team == team

    def test_a_team_of_another_organisation_is_refused(
        self, organisation, manager, staff_membership, other_organisation, other_manager
    ):
        foreign = services.team_create(
            organisation=other_organisation, actor=other_manager, name="Theirs"
        )
        with pytest.raises(ValidationError) as error:
            services.membership_set_placement(
                membership=staff_membership, actor=manager, team=foreign, site=None
            )
        assert error.value.message_dict["team"] == ["Choose a team of this organisation."]
        staff_membership.refresh_from_db()
        assert staff_membership.team is None

    def test_only_managers_of_the_organisation_place_members(self, staff_membership, other_manager):
        with pytest.raises(PermissionDenied):
            services.membership_set_placement(
                membership=staff_membership, actor=other_manager, team=None, site=None
            )

    def test_a_member_who_left_cannot_be_placed(self, organisation, manager):
        left = MembershipFactory(organisation=organisation, status=Membership.Status.LEFT)
        with pytest.raises(ValidationError):
            services.membership_set_placement(membership=left, actor=manager, team=None, site=None)


class TestProfileSharing:
    def test_the_member_turns_sharing_on_and_off(self, staff_membership, staff):
        services.membership_set_profile_sharing(
            membership=staff_membership, actor=staff, shares=True
        )
        staff_membership.refresh_from_db()
        assert staff_membership.shares_competency_profile is True
        services.membership_set_profile_sharing(
            membership=staff_membership, actor=staff, shares=False
        )
        staff_membership.refresh_from_db()
        assert staff_membership.shares_competency_profile is False

    def test_nobody_else_may_decide(self, staff_membership, manager, other_manager):
        for actor in (manager, other_manager, None):
            with pytest.raises(PermissionDenied):
                services.membership_set_profile_sharing(
                    membership=staff_membership, actor=actor, shares=True
                )
        staff_membership.refresh_from_db()
        assert staff_membership.shares_competency_profile is False

    def test_not_after_leaving(self, staff_membership, staff):
        services.membership_leave(membership=staff_membership, actor=staff)
        with pytest.raises(ValidationError):
            services.membership_set_profile_sharing(
                membership=staff_membership, actor=staff, shares=True
            )
