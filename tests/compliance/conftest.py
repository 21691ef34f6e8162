"""Shared fixtures for the compliance tests.

- ``organisation``: "Riverside Nursery"; ``other_organisation``: "Hillside NHS Foundation Trust".
- ``manager_membership`` / ``manager``: an active manager of ``organisation`` (membership, user).
- ``other_manager``: an active manager of ``other_organisation`` (user).
- ``staff_membership`` / ``staff``: an active staff member of ``organisation`` whose profile
  gives the professional role "midwife" and the name "Sam Midwife".
- ``course``: a published course, "Safeguarding babies", whose certificate is valid for 12
  months (one module of one lesson).
- ``pathway``: an active pathway, "Health visitor pathway", of two published courses in order
  ("Pathway part one", "Pathway part two"); ``pathway.pathway_courses`` lists them.
- ``member``: a factory, ``member(organisation=None, role="health_visitor", name=None,
  membership_role="staff")``, making another active member with a profile (role "" for none).
- ``as_user``: ``as_user(user)`` logs the test client in as ``user`` and returns the client.
"""

from __future__ import annotations

import pytest

from imh_accounts.choices import ProfessionalRole
from imh_courses.models import Pathway, PathwayCourse
from imh_organisations.models import Membership
from tests.accounts.factories import EmptyProfileFactory, ProfileFactory
from tests.courses.factories import create_course
from tests.organisations.factories import (
    ManagerMembershipFactory,
    MembershipFactory,
    OrganisationFactory,
)


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Riverside Nursery")


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Hillside NHS Foundation Trust", organisation_type="nhs_trust")


@pytest.fixture
def manager_membership(organisation):
    membership = ManagerMembershipFactory(organisation=organisation)
    ProfileFactory(
        user=membership.user,
        full_name="Morgan Manager",
        professional_role=ProfessionalRole.OTHER,
        registration_body="",
        registration_number="",
    )
    return membership


@pytest.fixture
def manager(manager_membership):
    return manager_membership.user


@pytest.fixture
def other_manager(other_organisation):
    return ManagerMembershipFactory(organisation=other_organisation).user


@pytest.fixture
def staff_membership(organisation):
    membership = MembershipFactory(organisation=organisation)
    ProfileFactory(
        user=membership.user, full_name="Sam Midwife", professional_role=ProfessionalRole.MIDWIFE
    )
    return membership


@pytest.fixture
def staff(staff_membership):
    return staff_membership.user


@pytest.fixture
def member(organisation):
    """Make another active member of ``organisation`` (or another) with a profile role."""

    def make(
        *,
        organisation=organisation,
        role: str = ProfessionalRole.HEALTH_VISITOR,
        name: str | None = None,
        membership_role: str = Membership.Role.STAFF,
    ) -> Membership:
        membership = MembershipFactory(organisation=organisation, role=membership_role)
        if role:
            ProfileFactory(
                user=membership.user,
                full_name=name or f"Pat {membership.user.last_name}",
                professional_role=role,
                registration_body="",
                registration_number="",
            )
        else:
            EmptyProfileFactory(user=membership.user, full_name=name or "")
        return membership

    return make


@pytest.fixture
def course(db):
    return create_course(
        title="Safeguarding babies",
        modules=1,
        lessons_per_module=1,
        certificate_validity_months=12,
    )


@pytest.fixture
def pathway(db):
    first = create_course(title="Pathway part one", modules=1, lessons_per_module=1)
    second = create_course(title="Pathway part two", modules=1, lessons_per_module=1)
    pathway = Pathway.objects.create(
        title="Health visitor pathway", slug="health-visitor-pathway", role="health_visitor"
    )
    PathwayCourse.objects.create(pathway=pathway, course=first, sort_order=0)
    PathwayCourse.objects.create(pathway=pathway, course=second, sort_order=1)
    return pathway


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login
