"""Wagtail hooks for organisations: its admin group, and what managers and supervisors may do.

Certificates and competencies sit below organisations, so they ask hooks (``imh_core.hooks``)
who manages or supervises whom; the answers are here.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from imh_core.hooks import (
    IMH_CERTIFICATE_IS_MANAGER_POLICIES,
    IMH_CERTIFICATE_MANAGER_POLICIES,
    IMH_CERTIFICATE_MANAGERS,
    IMH_OBSERVABLE_TRAINEES,
    IMH_OBSERVER_POLICIES,
    IMH_PAGE_LINKS,
    IMH_USER_DATA_ERASERS,
    IMH_USER_DATA_EXPORTERS,
)
from imh_organisations.models import Membership
from imh_organisations.privacy import user_data_erase, user_data_export
from imh_organisations.selectors import (
    manager_user_ids_for,
    organisations_managed_by,
    user_manages_user,
    user_supervises_user,
    users_supervised_by,
)
from imh_organisations.viewsets import MembershipPermissionPolicy, OrganisationsViewSetGroup

# Before any viewset asks for Membership's policy (Wagtail would otherwise make a fallback).
register_permission_policy(Membership, MembershipPermissionPolicy(Membership))


@hooks.register(IMH_PAGE_LINKS)
def organisations_page_links(place: str, request, **objects) -> list[dict[str, str]]:
    """The account page links to people's organisations: accounts cannot name this URL."""
    if place == "accounts:dashboard":
        return [
            {
                "label": gettext("Organisations"),
                "url": reverse("imh_organisations:mine"),
                "description": gettext("the employers and teams you belong to."),
            }
        ]
    return []


@hooks.register("register_admin_viewset")
def register_organisations_viewsets() -> OrganisationsViewSetGroup:
    return OrganisationsViewSetGroup()


# A supervisor named in the trainee's organisation may record observations of practice.


@hooks.register(IMH_OBSERVER_POLICIES)
def supervisor_may_observe(*, observer: Any, trainee: Any) -> bool:
    return user_supervises_user(supervisor=observer, trainee=trainee)


@hooks.register(IMH_OBSERVABLE_TRAINEES)
def supervisees(*, observer: Any) -> list[Any]:
    return users_supervised_by(supervisor=observer)


# Managers of an organisation the holder belongs to may download their certificates, and hear
# when one is about to expire; managers of any organisation may check many codes at once.


@hooks.register(IMH_CERTIFICATE_MANAGER_POLICIES)
def manager_of_holder(user: Any, holder: Any) -> bool:
    return user_manages_user(manager=user, member=holder)


@hooks.register(IMH_CERTIFICATE_IS_MANAGER_POLICIES)
def manages_an_organisation(user: Any) -> bool:
    return organisations_managed_by(user=user).exists()


@hooks.register(IMH_CERTIFICATE_MANAGERS)
def managers_of_holder(holder: Any) -> list[Any]:
    return list(
        get_user_model().objects.filter(pk__in=manager_user_ids_for(user=holder), is_active=True)
    )


# Data rights.


@hooks.register(IMH_USER_DATA_EXPORTERS)
def organisations_exporter():
    return "organisations", user_data_export


@hooks.register(IMH_USER_DATA_ERASERS)
def organisations_eraser():
    return "organisations", user_data_erase
