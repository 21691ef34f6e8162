"""The Wagtail admin for platform administrators: organisations and memberships."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from imh_organisations.models import Membership, Organisation
from imh_organisations.services import membership_create_active, organisation_create
from tests.factories import UserFactory
from tests.organisations.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


class TestOrganisationAdmin:
    def test_index_lists_with_type_ods_and_active(self, admin_client):
        OrganisationFactory(
            name="Leeds Teaching Hospitals", organisation_type="nhs_trust", ods_code="RR8"
        )
        response = admin_client.get(reverse("organisations_admin:index"))
        assert response.status_code == 200
        content = response.content.decode()
        assert "Leeds Teaching Hospitals" in content
        assert "NHS trust" in content
        assert "RR8" in content

    def test_search_and_filter(self, admin_client):
        OrganisationFactory(name="Leeds Teaching Hospitals", organisation_type="nhs_trust")
        OrganisationFactory(name="Acorn Day Nursery", organisation_type="nursery")
        url = reverse("organisations_admin:index")
        content = admin_client.get(url, {"q": "acorn"}).content.decode()
        assert "Acorn Day Nursery" in content
        assert "Leeds Teaching Hospitals" not in content
        content = admin_client.get(url, {"organisation_type": "nhs_trust"}).content.decode()
        assert "Leeds Teaching Hospitals" in content
        assert "Acorn Day Nursery" not in content

    def test_create_page_renders_and_creates_through_the_service(self, admin_client):
        url = reverse("organisations_admin:add")
        assert admin_client.get(url).status_code == 200
        response = admin_client.post(
            url,
            {
                "name": "Bradford Council",
                "organisation_type": "local_authority",
                "ods_code": "ab1",
                "is_active": "on",
            },
        )
        assert response.status_code == 302
        organisation = Organisation.objects.get(name="Bradford Council")
        assert organisation.slug == "bradford-council"
        assert organisation.ods_code == "AB1"
        assert len(organisation.join_code) == 8

    def test_oversized_name_is_a_clear_error(self, admin_client):
        response = admin_client.post(
            reverse("organisations_admin:add"),
            {"name": "N" * 250, "organisation_type": "charity", "ods_code": ""},
        )
        assert response.status_code == 200
        assert "200 characters or fewer" in response.content.decode()
        assert not Organisation.objects.exists()

    def test_edit_page(self, admin_client):
        organisation = OrganisationFactory(name="Old Name")
        url = reverse("organisations_admin:edit", args=[organisation.pk])
        assert admin_client.get(url).status_code == 200
        response = admin_client.post(
            url,
            {
                "name": "New Name",
                "slug": "new-name",
                "organisation_type": "charity",
                "ods_code": "",
                "is_active": "",
            },
        )
        assert response.status_code == 302
        organisation.refresh_from_db()
        assert (organisation.name, organisation.slug, organisation.is_active) == (
            "New Name",
            "new-name",
            False,
        )

    def test_inspect_page_shows_the_join_code(self, admin_client):
        organisation = OrganisationFactory()
        response = admin_client.get(reverse("organisations_admin:inspect", args=[organisation.pk]))
        assert organisation.join_code in response.content.decode()

    def test_people_without_admin_access_are_sent_away(self, client):
        client.force_login(UserFactory())
        response = client.get(reverse("organisations_admin:index"))
        assert response.status_code in (302, 403)


class TestMembershipAdmin:
    def test_index_with_filters(self, admin_client, organisation, other_organisation):
        mine = MembershipFactory(organisation=organisation, user__email="mine@example.org")
        MembershipFactory(organisation=other_organisation, user__email="theirs@example.org")
        url = reverse("organisation_memberships:index")
        response = admin_client.get(url)
        assert response.status_code == 200
        content = admin_client.get(url, {"organisation": organisation.pk}).content.decode()
        assert "mine@example.org" in content
        assert "theirs@example.org" not in content
        content = admin_client.get(url, {"status": "pending"}).content.decode()
        assert "mine@example.org" not in content
        content = admin_client.get(url, {"role": "staff", "q": "mine@"}).content.decode()
        assert "mine@example.org" in content
        assert escape(mine.organisation.name) in content

    def test_create_page_renders_and_makes_an_active_membership(
        self, admin_client, organisation, admin_user
    ):
        url = reverse("organisation_memberships:add")
        assert admin_client.get(url).status_code == 200
        person = UserFactory()
        response = admin_client.post(
            url, {"user": person.pk, "organisation": organisation.pk, "role": "manager"}
        )
        assert response.status_code == 302
        membership = Membership.objects.get(user=person)
        assert (membership.status, membership.role, membership.source) == (
            "active",
            "manager",
            "admin",
        )
        assert membership.decided_by == admin_user

    def test_adding_an_existing_member_is_a_clear_error(self, admin_client, organisation, staff):
        response = admin_client.post(
            reverse("organisation_memberships:add"),
            {"user": staff.pk, "organisation": organisation.pk, "role": "staff"},
        )
        assert response.status_code == 200
        assert "is already a member of" in response.content.decode()
        assert Membership.objects.filter(user=staff).count() == 1

    def test_edit_role_and_status(self, admin_client, staff_membership, admin_user):
        url = reverse("organisation_memberships:edit", args=[staff_membership.pk])
        assert admin_client.get(url).status_code == 200
        response = admin_client.post(url, {"role": "staff", "status": "left"})
        assert response.status_code == 302
        staff_membership.refresh_from_db()
        assert staff_membership.status == "left"
        assert staff_membership.ended_by == admin_user

    def test_memberships_cannot_be_deleted(self, admin_client, staff_membership):
        response = admin_client.post(
            reverse("organisation_memberships:delete", args=[staff_membership.pk])
        )
        assert response.status_code in (302, 403)
        assert Membership.objects.filter(pk=staff_membership.pk).exists()


def test_admin_menu_has_the_organisations_group(admin_client):
    response = admin_client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    content = response.content.decode()
    assert reverse("organisations_admin:index") in content
    assert reverse("organisation_memberships:index") in content


@pytest.mark.django_db
def test_membership_export_lists_people_and_organisations(client):
    organisation = organisation_create(name="Riverside Trust", organisation_type="nhs_trust")
    member = UserFactory(email="export.me@example.org")
    membership_create_active(organisation=organisation, user=member, role="staff")
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    response = client.get("/admin/organisation-memberships/?export=csv")
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode()
    assert "Email" in content.splitlines()[0]
    assert "export.me@example.org" in content
    assert "Riverside Trust" in content
