"""Which organisations a manager may open, and who their current members are."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from imh_organisations.models import Membership, Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


def organisation_for_manager(*, user: AbstractBaseUser, pk: int) -> Organisation:
    """The organisation ``user`` actively manages with this id, or 404 (whoever else owns it)."""
    return get_object_or_404(
        Organisation.objects.filter(
            memberships__user=user,
            memberships__role=Membership.Role.MANAGER,
            memberships__status=Membership.Status.ACTIVE,
        ),
        pk=pk,
    )


def active_members(*, organisation: Organisation) -> QuerySet[Membership]:
    return Membership.objects.filter(organisation=organisation, status=Membership.Status.ACTIVE)


def member_of_organisation(*, organisation: Organisation, membership_pk: int) -> Membership:
    """An active membership of the organisation by id, or 404."""
    return get_object_or_404(
        active_members(organisation=organisation).select_related(
            "user", "user__profile", "team", "site"
        ),
        pk=membership_pk,
    )
