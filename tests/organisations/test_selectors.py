"""Reads: who belongs where, who manages whom, and 404s for everything else."""

from __future__ import annotations

import pytest
from django.http import Http404

from imh_organisations import selectors
from imh_organisations.models import Membership
from tests.factories import UserFactory
from tests.organisations.factories import (
    InvitationFactory,
    ManagerMembershipFactory,
    MembershipFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db


def test_memberships_for_user_are_current_by_default_with_organisations_joined(
    staff_membership, django_assert_num_queries
):
    user = staff_membership.user
    MembershipFactory(user=user, status="left")
    pending = MembershipFactory(user=user, status="pending")
    with django_assert_num_queries(1):
        memberships = list(selectors.memberships_for_user(user=user))
        names = [m.organisation.name for m in memberships]
    assert {m.pk for m in memberships} == {staff_membership.pk, pending.pk}
    assert len(names) == 2
    assert selectors.memberships_for_user(user=user, statuses=None).count() == 3


def test_membership_for_user_is_404_for_someone_elses(staff_membership, user):
    with pytest.raises(Http404):
        selectors.membership_for_user(user=user, pk=staff_membership.pk)
    found = selectors.membership_for_user(user=staff_membership.user, pk=staff_membership.pk)
    assert found == staff_membership


def test_organisations_managed_by_only_counts_active_manager_memberships(
    organisation, manager, other_organisation
):
    ManagerMembershipFactory(user=manager, organisation=other_organisation, status="left")
    MembershipFactory(user=manager)  # staff elsewhere
    assert list(selectors.organisations_managed_by(user=manager)) == [organisation]


def test_organisations_managed_by_anonymous_is_empty():
    from django.contrib.auth.models import AnonymousUser

    assert not selectors.organisations_managed_by(user=AnonymousUser()).exists()


def test_organisation_for_manager(organisation, manager, staff, other_manager):
    assert selectors.organisation_for_manager(user=manager, pk=organisation.pk) == organisation
    for user in (staff, other_manager):
        with pytest.raises(Http404):
            selectors.organisation_for_manager(user=user, pk=organisation.pk)
    with pytest.raises(Http404):
        selectors.organisation_for_manager(user=manager, pk=999_999)


def test_members_of_puts_managers_first_and_filters_by_status(organisation, manager):
    staff_a = MembershipFactory(organisation=organisation, user=UserFactory(last_name="Adams"))
    MembershipFactory(organisation=organisation, status="left")
    pending = MembershipFactory(organisation=organisation, status="pending")
    members = list(selectors.members_of(organisation=organisation))
    assert [m.user for m in members] == [manager, staff_a.user]
    assert list(selectors.members_of(organisation=organisation, status="pending")) == [pending]
    assert selectors.members_of(organisation=organisation, status=None).count() == 4
    managers = selectors.members_of(organisation=organisation, role="manager")
    assert [m.user for m in managers] == [manager]


def test_pending_requests_oldest_first(organisation):
    first = MembershipFactory(organisation=organisation, status="pending")
    second = MembershipFactory(organisation=organisation, status="pending")
    MembershipFactory(organisation=organisation)
    assert list(selectors.pending_requests(organisation=organisation)) == [first, second]


def test_lookups_within_an_organisation_are_404_for_another_organisations_ids(
    organisation, other_organisation
):
    theirs = MembershipFactory(organisation=other_organisation)
    their_invitation = InvitationFactory(organisation=other_organisation)
    with pytest.raises(Http404):
        selectors.membership_of_organisation(organisation=organisation, pk=theirs.pk)
    with pytest.raises(Http404):
        selectors.invitation_of_organisation(organisation=organisation, pk=their_invitation.pk)
    assert selectors.membership_of_organisation(organisation=other_organisation, pk=theirs.pk)


def test_open_invitations(organisation):
    from django.utils import timezone

    open_ = InvitationFactory(organisation=organisation)
    InvitationFactory(organisation=organisation, revoked_at=timezone.now())
    InvitationFactory(organisation=organisation, accepted_at=timezone.now())
    InvitationFactory()
    assert list(selectors.invitations_open_for(organisation=organisation)) == [open_]


def test_invitation_by_token(organisation):
    invitation = InvitationFactory(organisation=organisation)
    assert selectors.invitation_by_token(token=invitation.token) == invitation
    assert selectors.invitation_by_token(token="missing") is None
    assert selectors.invitation_by_token(token="") is None


def test_manager_user_ids_for_and_member_user_ids_managed_by(
    organisation, manager, staff, other_organisation, other_manager
):
    MembershipFactory(user=staff, organisation=other_organisation, status="pending")
    ManagerMembershipFactory(organisation=organisation, status="left")
    assert selectors.manager_user_ids_for(user=staff) == {manager.pk}
    assert selectors.manager_user_ids_for(user=manager) == set()
    assert selectors.member_user_ids_managed_by(user=manager) == {manager.pk, staff.pk}
    assert selectors.member_user_ids_managed_by(user=other_manager) == {other_manager.pk}
    assert selectors.user_manages_user(manager=manager, member=staff)
    assert not selectors.user_manages_user(manager=other_manager, member=staff)


def test_manager_emails_for(organisation, manager, staff):
    assert selectors.manager_emails_for(organisation=organisation) == [manager.email]


def test_memberships_constant():
    assert set(Membership.CURRENT_STATUSES) == {"pending", "active"}
    assert OrganisationFactory().memberships.count() == 0
