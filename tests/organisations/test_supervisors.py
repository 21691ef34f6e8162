"""Named supervisors: who counts as one, and managers marking members as supervisors."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from imh_competencies.policies import trainees_observable_by, user_may_observe
from imh_organisations import selectors, services
from imh_organisations.models import Membership
from tests.organisations.factories import MembershipFactory


def _supervisor_url(organisation, membership) -> str:
    return reverse("imh_organisations:membership_supervisor", args=[organisation.pk, membership.pk])


@pytest.fixture
def supervisor_membership(organisation):
    return MembershipFactory(organisation=organisation, is_supervisor=True)


def test_supervisor_supervises_active_members_of_the_same_organisation(
    supervisor_membership, staff, other_organisation
):
    supervisor = supervisor_membership.user
    assert selectors.user_supervises_user(supervisor=supervisor, trainee=staff)
    assert not selectors.user_supervises_user(supervisor=staff, trainee=supervisor)
    assert not selectors.user_supervises_user(supervisor=supervisor, trainee=supervisor)
    stranger = MembershipFactory(organisation=other_organisation).user
    assert not selectors.user_supervises_user(supervisor=supervisor, trainee=stranger)
    assert stranger not in selectors.users_supervised_by(supervisor=supervisor)
    assert staff in selectors.users_supervised_by(supervisor=supervisor)


def test_supervision_needs_both_memberships_to_be_active(supervisor_membership, staff_membership):
    supervisor = supervisor_membership.user
    staff_membership.status = Membership.Status.LEFT
    staff_membership.save()
    assert not selectors.user_supervises_user(supervisor=supervisor, trainee=staff_membership.user)
    staff_membership.status = Membership.Status.ACTIVE
    staff_membership.save()
    supervisor_membership.status = Membership.Status.PENDING
    supervisor_membership.save()
    assert not selectors.user_supervises_user(supervisor=supervisor, trainee=staff_membership.user)


def test_the_policy_is_registered_with_competencies(supervisor_membership, staff, manager):
    supervisor = supervisor_membership.user
    assert user_may_observe(observer=supervisor, trainee=staff)
    assert staff in trainees_observable_by(observer=supervisor)
    # A manager is not a supervisor unless named one.
    assert not user_may_observe(observer=manager, trainee=staff)


def test_manager_names_and_unnames_a_supervisor(client, organisation, manager, staff_membership):
    client.force_login(manager)
    page = client.get(reverse("imh_organisations:manage", args=[organisation.pk])).content.decode()
    assert "Make supervisor" in page
    response = client.post(_supervisor_url(organisation, staff_membership), {"is_supervisor": "1"})
    assert response.status_code == 302
    staff_membership.refresh_from_db()
    assert staff_membership.is_supervisor
    page = client.get(reverse("imh_organisations:manage", args=[organisation.pk])).content.decode()
    assert "Remove as supervisor" in page
    assert "is now a supervisor" in page
    client.post(_supervisor_url(organisation, staff_membership), {"is_supervisor": "0"})
    staff_membership.refresh_from_db()
    assert not staff_membership.is_supervisor


def test_only_managers_of_the_organisation_may_name_supervisors(
    client, organisation, staff, staff_membership, other_manager
):
    for user in (staff, other_manager):
        client.force_login(user)
        response = client.post(
            _supervisor_url(organisation, staff_membership), {"is_supervisor": "1"}
        )
        assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        services.membership_set_supervisor(
            membership=staff_membership, is_supervisor=True, actor=other_manager
        )
    staff_membership.refresh_from_db()
    assert not staff_membership.is_supervisor


def test_only_active_members_can_be_supervisors(organisation, manager):
    pending = MembershipFactory(organisation=organisation, status=Membership.Status.PENDING)
    with pytest.raises(ValidationError, match="only make an active member a supervisor"):
        services.membership_set_supervisor(membership=pending, is_supervisor=True, actor=manager)
    assert not Membership.objects.get(pk=pending.pk).is_supervisor


def test_supervisor_of_another_organisation_sees_no_one_here(
    other_organisation, staff, organisation
):
    elsewhere = MembershipFactory(organisation=other_organisation, is_supervisor=True).user
    assert not user_may_observe(observer=elsewhere, trainee=staff)
    assert staff not in trainees_observable_by(observer=elsewhere)
