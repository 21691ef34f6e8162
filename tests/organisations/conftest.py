"""An organisation with a manager and a staff member, and a second organisation beside it."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.organisations.factories import (
    ManagerMembershipFactory,
    MembershipFactory,
    OrganisationFactory,
)


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Riverside Nursery")


@pytest.fixture
def manager(organisation):
    return ManagerMembershipFactory(organisation=organisation).user


@pytest.fixture
def staff_membership(organisation):
    return MembershipFactory(organisation=organisation)


@pytest.fixture
def staff(staff_membership):
    return staff_membership.user


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Hillside NHS Foundation Trust", organisation_type="nhs_trust")


@pytest.fixture
def other_manager(other_organisation):
    return ManagerMembershipFactory(organisation=other_organisation).user


@pytest.fixture
def user(db):
    return UserFactory()
