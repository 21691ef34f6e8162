"""Wagtail hooks for supervision: the admin, links from other apps' pages, CPD and data rights."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from imh_core.hooks import (
    IMH_PAGE_LINKS,
    IMH_PORTFOLIO_ACTIVITIES,
    IMH_USER_DATA_ERASERS,
    IMH_USER_DATA_EXPORTERS,
)
from imh_supervision import selectors, services
from imh_supervision.models import SupervisionSession
from imh_supervision.viewsets import SessionPermissionPolicy, SupervisionViewSetGroup

# Before any viewset asks for the sessions' policy: they may only be listed in the admin.
register_permission_policy(SupervisionSession, SessionPermissionPolicy(SupervisionSession))


@hooks.register("register_admin_viewset")
def register_supervision_viewsets() -> SupervisionViewSetGroup:
    return SupervisionViewSetGroup()


@hooks.register(IMH_PAGE_LINKS)
def supervision_page_links(place: str, request, **objects) -> list[dict[str, str]]:
    if place == "accounts:dashboard" and selectors.user_has_pair(user=request.user):
        return [
            {
                "label": gettext("My supervision"),
                "url": reverse("imh_supervision:home"),
                "description": gettext("reflective supervision sessions and hours."),
            }
        ]
    if place == "organisations:manage" and "organisation" in objects:
        return [
            {
                "label": gettext("Supervision"),
                "url": reverse("imh_supervision:manage", args=[objects["organisation"].pk]),
            }
        ]
    return []


@hooks.register(IMH_PORTFOLIO_ACTIVITIES)
def supervision_portfolio_activities(user) -> list[dict]:
    return selectors.portfolio_activities(user=user)


@hooks.register(IMH_USER_DATA_EXPORTERS)
def supervision_exporter():
    return "supervision", selectors.user_data_export


@hooks.register(IMH_USER_DATA_ERASERS)
def supervision_eraser():
    return "supervision", lambda user: services.supervision_data_erase_for_user(user=user)
