"""The Wagtail admin for platform admins and educators."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from cms.models import HomePage
from imh_courses.models import CourseIndexPage
from tests.factories import UserFactory


@pytest.fixture
def educator(db):
    user = UserFactory(username="educator", is_staff=False)
    user.groups.add(Group.objects.get(name="Educators"))
    return user


@pytest.mark.django_db
def test_educator_reaches_the_admin(client, educator):
    client.force_login(educator)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


@pytest.mark.django_db
def test_educator_can_edit_under_courses_but_not_elsewhere(educator):
    courses = CourseIndexPage.objects.get()
    home = HomePage.objects.get()
    assert courses.permissions_for_user(educator).can_edit()
    assert courses.permissions_for_user(educator).can_publish()
    assert not home.permissions_for_user(educator).can_edit()
    assert not home.permissions_for_user(educator).can_add_subpage()


@pytest.mark.django_db
def test_trainee_cannot_reach_the_admin(client):
    client.force_login(UserFactory())
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302
    assert reverse("wagtailadmin_login") in response["Location"]


@pytest.mark.django_db
def test_admin_can_edit_site_settings(client):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.get(
        reverse("wagtailsettings:edit", args=["cms", "sitesettings"]), follow=True
    )
    assert response.status_code == 200
    assert "Platform name" in response.content.decode()


@pytest.mark.django_db
def test_block_picker_previews_render_in_the_sites_style(client):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    from wagtail.blocks import Block

    from imh_courses.blocks import KeyPointsBlock

    block_id = next(
        key for key, block in Block.definition_registry.items() if isinstance(block, KeyPointsBlock)
    )
    response = client.get(reverse("wagtailadmin_block_preview"), {"id": block_id})
    assert response.status_code == 200
    html = response.content.decode()
    assert "nhsuk-frontend" in html
    assert "Babies communicate from birth." in html


@pytest.mark.django_db
def test_previewing_a_new_standard_page_works(client):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    home = HomePage.objects.get()
    url = reverse("wagtailadmin_pages:preview_on_add", args=["cms", "standardpage", home.pk])
    response = client.post(url, {"title": "About", "slug": "about", "body-count": "0"})
    assert response.status_code == 200
    assert response.json()["is_valid"]
    assert client.get(url).status_code == 200
