"""Wagtail admin registrations for accounts."""

from __future__ import annotations

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from imh_accounts.models import Profile
from imh_accounts.permissions import ReadOnlyPermissionPolicy
from imh_accounts.viewsets import ProfileViewSet

# Before the viewset registers, or Wagtail would create its default (editable) policy.
register_permission_policy(Profile, ReadOnlyPermissionPolicy(Profile))


@hooks.register("register_admin_viewset")
def register_profile_viewset() -> ProfileViewSet:
    return ProfileViewSet("profiles")
