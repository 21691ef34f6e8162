"""The apps put everything in the Wagtail admin under one "Learning" menu."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import RequestFactory
from wagtail import hooks
from wagtail.admin.menu import admin_menu

from tests.factories import UserFactory

# What each app adds to the Learning menu (the menu item names Wagtail gives them).
APP_ITEMS = {
    "pathways",
    "learning-records",
    "live-sessions",
    "assessments",
    "h5p_activities",
    "competencies",
    "certificates",
    "certificate_templates",
    "organisations",
    "compliance",
    "learner-profiles",
    "recognition",
    "supervision",
    "observation-reliability",
}


def _registered_by(function) -> str:
    """The module a top-level menu item comes from (a viewset registers a bound method)."""
    owner = getattr(function, "__self__", None)
    return type(owner).__module__ if owner is not None else function.__module__


def _top_level(user) -> dict[str, object]:
    request = RequestFactory().get("/admin/")
    request.user = user
    return {item.name: item for item in admin_menu.menu_items_for_request(request)}


def _names(submenu, user) -> set[str]:
    request = RequestFactory().get("/admin/")
    request.user = user
    return {item.name for item in submenu.menu.menu_items_for_request(request)}


def test_the_apps_add_exactly_one_top_level_menu():
    from_the_apps = [
        _registered_by(function)
        for function in hooks.get_hooks("register_admin_menu_item")
        if _registered_by(function).startswith(("imh_", "cms"))
    ]
    assert from_the_apps == ["imh_core.wagtail_hooks"]


@pytest.mark.django_db
def test_a_superuser_finds_every_app_under_learning():
    superuser = UserFactory(is_superuser=True, is_staff=True)
    top = _top_level(superuser)
    assert top["learning"].label == "Learning"
    assert not APP_ITEMS & set(top), "no app's item is at the top level any more"
    assert _names(top["learning"], superuser) == APP_ITEMS


@pytest.mark.django_db
def test_items_show_only_to_people_who_may_use_them():
    educator = UserFactory()
    educator.groups.add(Group.objects.get(name="Educators"))
    learning = _top_level(educator)["learning"]
    names = _names(learning, educator)
    assert {"competencies", "certificate_templates", "live-sessions"} <= names
    # Employers' records and learner profiles are not educators' business.
    assert not {"organisations", "compliance", "learner-profiles"} & names


@pytest.mark.django_db
def test_the_menu_hides_when_none_of_its_items_may_be_used():
    admin_only = UserFactory()
    admin_only.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    assert "learning" not in _top_level(admin_only)


@pytest.mark.django_db
def test_the_sidebar_shows_learning(admin_client):
    from django.urls import reverse

    page = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    assert '"Learning"' in page
