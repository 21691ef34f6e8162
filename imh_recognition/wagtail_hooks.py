"""Admin menu, schedules and data hooks for the recognition register."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext
from wagtail import hooks

from imh_core.hooks import IMH_PAGE_LINKS, IMH_USER_DATA_ERASERS, IMH_USER_DATA_EXPORTERS
from imh_recognition.selectors import recognition_data_export_for_user
from imh_recognition.services import recognition_data_erase_for_user
from imh_recognition.viewsets import RecognitionViewSetGroup


@hooks.register("register_admin_viewset")
def register_recognition_viewsets():
    return RecognitionViewSetGroup()


@hooks.register(IMH_PAGE_LINKS)
def recognition_page_links(place: str, request, **objects) -> list[dict[str, str]]:
    if place != "accounts:dashboard":
        return []
    return [
        {
            "label": gettext("Recognition"),
            "url": reverse("imh_recognition:overview"),
            "description": gettext("apply for recognition at a level of the framework."),
        }
    ]


@hooks.register(IMH_USER_DATA_EXPORTERS)
def recognition_exporter():
    return "recognition", recognition_data_export_for_user


@hooks.register(IMH_USER_DATA_ERASERS)
def recognition_eraser():
    return "recognition", lambda user: recognition_data_erase_for_user(user=user)


# The register side: the daily renewal job and the admin revoke page.
from imh_recognition import register_hooks  # noqa: E402, F401
