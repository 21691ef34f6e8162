"""Puts the organisations admin into Wagtail: the "Organisations" menu group."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from imh_organisations.models import Membership
from imh_organisations.viewsets import MembershipPermissionPolicy, OrganisationsViewSetGroup

# Before any viewset asks for Membership's policy (Wagtail would otherwise make a fallback).
register_permission_policy(Membership, MembershipPermissionPolicy(Membership))


@hooks.register("register_admin_viewset")
def register_organisations_viewsets() -> OrganisationsViewSetGroup:
    return OrganisationsViewSetGroup()
