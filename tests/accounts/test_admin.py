"""Wagtail admin: a read-only list of profiles for staff."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from imh_accounts.models import Profile
from tests.accounts.factories import ProfileFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


def test_superuser_can_list_search_and_inspect_profiles(client, superuser, profile):
    client.force_login(superuser)
    response = client.get(reverse("profiles:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alex Smith" in html
    assert "alex@example.org" in html
    assert reverse("profiles:add") not in html

    response = client.get(reverse("profiles:index"), {"q": "Alex"})
    assert "Alex Smith" in response.content.decode()

    response = client.get(reverse("profiles:inspect", args=[profile.pk]))
    assert response.status_code == 200
    assert "12A3456E" in response.content.decode()


def test_nobody_can_add_edit_or_delete_in_the_admin(client, superuser, profile):
    client.force_login(superuser)
    for url in [
        reverse("profiles:add"),
        reverse("profiles:edit", args=[profile.pk]),
        reverse("profiles:delete", args=[profile.pk]),
    ]:
        response = client.get(url)
        assert response.status_code in (302, 403), url
    response = client.post(reverse("profiles:edit", args=[profile.pk]), {"full_name": "Hacked"})
    profile.refresh_from_db()
    assert profile.full_name == "Alex Smith"


def test_staff_need_the_view_permission(client, profile):
    editor = UserFactory(is_staff=True)
    group = Group.objects.create(name="Profile viewers")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_profile", content_type__app_label="imh_accounts"),
    )
    client.force_login(editor)
    assert client.get(reverse("profiles:index")).status_code in (302, 403)

    editor.groups.add(group)
    assert client.get(reverse("profiles:index")).status_code == 200


def test_the_listing_query_count_does_not_grow_with_profiles(
    client, superuser, django_assert_max_num_queries
):
    for _ in range(3):
        ProfileFactory()
    client.force_login(superuser)
    client.get(reverse("profiles:index"))
    with django_assert_max_num_queries(25) as few:
        client.get(reverse("profiles:index"))
    for _ in range(10):
        ProfileFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("profiles:index"))
    assert Profile.objects.count() == 13


def test_only_the_view_permission_is_offered_to_groups():
    from imh_accounts.viewsets import ProfileViewSet

    codenames = set(
        ProfileViewSet("profiles").get_permissions_to_register().values_list("codename", flat=True)
    )
    assert codenames == {"view_profile"}
