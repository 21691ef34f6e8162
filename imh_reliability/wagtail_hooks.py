"""Wagtail hooks for observation reliability: the admin, the retention job and data rights."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext
from wagtail import hooks

from imh_core.hooks import (
    IMH_PAGE_LINKS,
    IMH_SCHEDULES,
    IMH_USER_DATA_ERASERS,
    IMH_USER_DATA_EXPORTERS,
)
from imh_core.scheduler import Schedule
from imh_reliability.selectors import live_tests, reliability_data_export_for_user
from imh_reliability.services import reliability_data_erase_for_user
from imh_reliability.viewsets import ReliabilityViewSetGroup


@hooks.register("register_admin_viewset")
def register_reliability_viewsets():
    return ReliabilityViewSetGroup()


@hooks.register(IMH_SCHEDULES)
def reliability_schedules() -> list[Schedule]:
    return [
        Schedule(
            name="reliability-clip-retention",
            task="imh_reliability.tasks.clips_retention_task",
            at=datetime.time(2, 30),
        ),
    ]


@hooks.register(IMH_PAGE_LINKS)
def reliability_page_links(place: str, request, **objects) -> list[dict[str, str]]:
    if place != "accounts:dashboard" or not live_tests().exists():
        return []
    return [
        {
            "label": gettext("Observation reliability"),
            "url": reverse("imh_reliability:index"),
            "description": gettext("rate practice clips and keep your reliability current."),
        }
    ]


@hooks.register(IMH_USER_DATA_EXPORTERS)
def reliability_exporter():
    return "reliability", reliability_data_export_for_user


@hooks.register(IMH_USER_DATA_ERASERS)
def reliability_eraser():
    return "reliability", lambda user: reliability_data_erase_for_user(user=user)
