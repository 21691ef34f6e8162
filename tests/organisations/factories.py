"""Factories for organisations, memberships and invitations (test set-up, not business rules)."""

from __future__ import annotations

import factory

from imh_organisations.models import Invitation, Membership, Organisation
from tests.factories import UserFactory


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Riverside Children's Centre {n}")
    slug = factory.Sequence(lambda n: f"riverside-childrens-centre-{n}")
    organisation_type = Organisation.Type.CHILDRENS_CENTRE


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.STAFF
    status = Membership.Status.ACTIVE
    source = Membership.Source.ADMIN


class ManagerMembershipFactory(MembershipFactory):
    role = Membership.Role.MANAGER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Membership.Role.STAFF
