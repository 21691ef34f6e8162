"""The teams and sites page: list with member counts, add, and delete with confirmation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from imh_organisations import services as organisation_services
from imh_organisations.models import Membership, Site, Team
from tests.compliance.records_fixtures import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def structure_url(organisation):
    return reverse("imh_compliance:structure", args=[organisation.pk])


def test_lists_teams_and_sites_with_member_counts(client, world):
    team = organisation_services.team_create(
        organisation=world.organisation, actor=world.manager, name="Health visiting"
    )
    organisation_services.site_create(
        organisation=world.organisation, actor=world.manager, name="Leeds clinic"
    )
    organisation_services.team_create(
        organisation=world.other_organisation, actor=world.other_manager, name="Foreign team"
    )
    organisation_services.membership_set_placement(
        membership=world.membership, actor=world.manager, team=team, site=None
    )
    client.force_login(world.manager)
    response = client.get(structure_url(world.organisation))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Health visiting" in content
    assert "Leeds clinic" in content
    assert "Foreign team" not in content
    assert response.context["teams"].get(pk=team.pk).member_count == 1
    assert 'aria-current="page">Teams and sites' in content


def test_add_a_team_and_a_site(client, world):
    client.force_login(world.manager)
    url = structure_url(world.organisation)
    response = client.post(url, {"action": "add_team", "team-name": "North"})
    assert response.status_code == 302
    response = client.post(url, {"action": "add_site", "site-name": "Clinic"})
    assert response.status_code == 302
    assert Team.objects.get().organisation == world.organisation
    assert Site.objects.get().organisation == world.organisation


def test_duplicate_and_blank_names_are_clear_errors(client, world):
    organisation_services.team_create(
        organisation=world.organisation, actor=world.manager, name="North"
    )
    client.force_login(world.manager)
    url = structure_url(world.organisation)
    response = client.post(url, {"action": "add_team", "team-name": "NORTH"})
    assert response.status_code == 200
    assert "already has a team with this name" in response.content.decode()
    response = client.post(url, {"action": "add_site", "site-name": ""})
    assert "Enter a name." in response.content.decode()
    assert Team.objects.count() == 1
    assert not Site.objects.exists()


def test_delete_asks_first_and_members_keep_their_membership(client, world):
    team = organisation_services.team_create(
        organisation=world.organisation, actor=world.manager, name="North"
    )
    organisation_services.membership_set_placement(
        membership=world.membership, actor=world.manager, team=team, site=None
    )
    client.force_login(world.manager)
    url = structure_url(world.organisation)
    response = client.post(url, {"action": "delete_team", "id": team.pk})
    assert response.status_code == 200
    assert "1 active member will stay" in response.content.decode()
    assert Team.objects.filter(pk=team.pk).exists()

    response = client.post(url, {"action": "delete_team", "id": team.pk, "confirm": "yes"})
    assert response.status_code == 302
    assert not Team.objects.filter(pk=team.pk).exists()
    world.membership.refresh_from_db()
    assert world.membership.status == Membership.Status.ACTIVE
    assert world.membership.team is None


def test_another_organisations_team_or_site_id_is_404(client, world):
    foreign_team = organisation_services.team_create(
        organisation=world.other_organisation, actor=world.other_manager, name="Theirs"
    )
    foreign_site = organisation_services.site_create(
        organisation=world.other_organisation, actor=world.other_manager, name="Theirs"
    )
    client.force_login(world.manager)
    url = structure_url(world.organisation)
    for action, group in (("delete_team", foreign_team), ("delete_site", foreign_site)):
        response = client.post(url, {"action": action, "id": group.pk, "confirm": "yes"})
        assert response.status_code == 404
    assert client.post(url, {"action": "delete_team", "id": "abc"}).status_code == 404
    assert Team.objects.filter(pk=foreign_team.pk).exists()
    assert Site.objects.filter(pk=foreign_site.pk).exists()


@pytest.mark.parametrize("who", ["other_manager", "member"])
def test_only_the_organisations_managers(client, world, who):
    client.force_login(getattr(world, who))
    url = structure_url(world.organisation)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "add_team", "team-name": "Sneaky"}).status_code == 404
    assert not Team.objects.exists()


def test_unknown_action_changes_nothing(client, world):
    client.force_login(world.manager)
    response = client.post(structure_url(world.organisation), {"action": "explode"}, follow=True)
    assert "Choose to add or delete a team or a site." in response.content.decode()
    assert not Team.objects.exists()
