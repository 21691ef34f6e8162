"""The reference site's page tree and page rendering."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from wagtail.models import GroupPagePermission, Page, Site
from wagtail.test.utils import WagtailPageTestCase

from cms.models import HomePage, StandardPage
from imh_courses.models import CourseIndexPage


class PageTreeTests(WagtailPageTestCase):
    def test_home_page_children(self):
        self.assertAllowedSubpageTypes(HomePage, {StandardPage, CourseIndexPage})

    def test_home_page_only_under_root(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})

    def test_standard_page_parents(self):
        self.assertAllowedParentPageTypes(StandardPage, {HomePage, StandardPage})

    def test_course_index_can_be_created_under_home(self):
        self.assertCanCreateAt(HomePage, CourseIndexPage)

    def test_standard_page_cannot_hold_courses(self):
        self.assertCanNotCreateAt(StandardPage, CourseIndexPage)


@pytest.mark.django_db
def test_migrations_lay_out_home_and_courses():
    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    assert isinstance(home, HomePage)
    assert home.live
    courses = CourseIndexPage.objects.child_of(home).get()
    assert courses.slug == "courses"


@pytest.mark.django_db
def test_educators_may_edit_the_courses_area_only():
    educators = Group.objects.get(name="Educators")
    courses = CourseIndexPage.objects.get()
    codenames = set(
        GroupPagePermission.objects.filter(group=educators).values_list(
            "permission__codename", flat=True
        )
    )
    assert {"add_page", "change_page", "publish_page"} <= codenames
    assert set(
        GroupPagePermission.objects.filter(group=educators).values_list("page", flat=True)
    ) == {courses.pk}
    assert educators.permissions.filter(codename="access_admin").exists()


@pytest.mark.django_db
def test_home_page_renders_with_nhsuk_layout(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="nhsuk-skip-link"' in html
    assert 'class="nhsuk-header' in html
    assert 'class="nhsuk-footer"' in html
    assert 'id="maincontent"' in html
    assert "Infant mental health training" in html
    assert 'lang="en-GB"' in html


@pytest.mark.django_db
def test_home_page_body_blocks_render(client):
    home = HomePage.objects.get()
    home.body = [
        ("heading", {"text": "Why it matters", "level": "h2"}),
        ("inset_text", {"body": "<p>Relationships first.</p>"}),
    ]
    home.save_revision().publish()
    html = client.get("/").content.decode()
    assert "<h2>Why it matters</h2>" in html
    assert "nhsuk-inset-text" in html
    assert "Relationships first." in html


@pytest.mark.django_db
def test_standard_page_shows_breadcrumbs(client):
    home = HomePage.objects.get()
    page = home.add_child(
        instance=StandardPage(title="About the platform", slug="about", introduction="Who we are")
    )
    page.save_revision().publish()
    html = client.get("/about/").content.decode()
    assert "About the platform" in html
    assert "nhsuk-breadcrumb" in html
    assert "Who we are" in html


@pytest.mark.django_db
def test_body_blocks_have_previews_for_the_block_picker():
    from cms.blocks import ContentStreamBlock

    for name, block in ContentStreamBlock().child_blocks.items():
        assert block.meta.icon, name
        assert block.meta.preview_value is not None or block.get_preview_value() is not None, name
        block.render(block.get_preview_value())
