"""The Wagtail admin for frameworks: list, view, import, export, edit, crosswalks, access."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from imh_competencies.frameworks_io import framework_import_sample
from imh_competencies.models import Area, Competency, Crosswalk, Framework
from tests.competencies.factories import AreaFactory, CompetencyFactory, FrameworkFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MOODLE_FIXTURE = Path(__file__).parent / "data" / "moodle-framework-export.csv"


@pytest.fixture
def educator():
    user = UserFactory(username="educator")
    user.groups.add(Group.objects.get(name="Educators"))
    return user


@pytest.fixture
def educator_client(client, educator):
    client.force_login(educator)
    return client


@pytest.fixture
def sample():
    return framework_import_sample()


def counts() -> tuple[int, int, int, int]:
    return (
        Framework.objects.count(),
        Area.objects.count(),
        Competency.objects.count(),
        Crosswalk.objects.count(),
    )


def upload(client, content: bytes, name: str, fmt: str = ""):
    return client.post(
        reverse("competency_frameworks:import"),
        {"file": SimpleUploadedFile(name, content), "format": fmt},
    )


class TestEducatorsPermissions:
    def test_educators_group_has_the_framework_rights(self):
        codenames = set(
            Group.objects.get(name="Educators")
            .permissions.filter(content_type__app_label="imh_competencies")
            .values_list("codename", flat=True)
        )
        for model in ("framework", "area", "competency"):
            assert {f"view_{model}", f"add_{model}", f"change_{model}"} <= codenames
            assert f"delete_{model}" not in codenames
        assert {"add_crosswalk", "change_crosswalk", "view_crosswalk"} <= codenames

    def test_educators_reach_every_page(self, educator_client, sample):
        pages = [
            reverse("competency_frameworks:index"),
            reverse("competency_frameworks:inspect", args=[sample.pk]),
            reverse("competency_frameworks:edit", args=[sample.pk]),
            reverse("competency_frameworks:import"),
            reverse("competency_areas:index"),
            reverse("competencies_list:index"),
            reverse("competency_crosswalks:index"),
            reverse("competency_crosswalks:add"),
        ]
        for url in pages:
            assert educator_client.get(url).status_code == 200, url
        home = educator_client.get(reverse("wagtailadmin_home")).content.decode()
        assert "Competencies" in home

    def test_educators_cannot_delete_frameworks(self, educator_client, sample):
        response = educator_client.post(reverse("competency_frameworks:delete", args=[sample.pk]))
        assert response.status_code in (302, 403)
        assert Framework.objects.filter(pk=sample.pk).exists()

    def test_admin_users_without_the_permissions_are_refused(self, client, sample):
        user = UserFactory(username="editor")
        user.user_permissions.add(Permission.objects.get(codename="access_admin"))
        client.force_login(user)
        for url in (
            reverse("competency_frameworks:index"),
            reverse("competency_frameworks:inspect", args=[sample.pk]),
            reverse("competency_frameworks:import"),
            reverse("competency_frameworks:export", args=[sample.pk, "json"]),
        ):
            response = client.get(url)
            assert response.status_code in (302, 403), url
        before = counts()
        upload(client, MOODLE_FIXTURE.read_bytes(), "moodle.csv")
        assert counts() == before

    def test_view_only_users_may_export_but_not_import(self, client, sample):
        user = UserFactory(username="viewer")
        user.user_permissions.add(
            Permission.objects.get(codename="access_admin"),
            Permission.objects.get(codename="view_framework"),
        )
        client.force_login(user)
        export = client.get(reverse("competency_frameworks:export", args=[sample.pk, "csv"]))
        assert export.status_code == 200
        assert client.get(reverse("competency_frameworks:import")).status_code in (302, 403)


class TestImport:
    def test_upload_of_a_moodle_export(self, educator_client, educator):
        response = upload(educator_client, MOODLE_FIXTURE.read_bytes(), "moodle.csv")

        framework = Framework.objects.get(name="Perinatal and infant mental health")
        assert response.status_code == 302
        assert response.url == reverse("competency_frameworks:inspect", args=[framework.pk])
        page = educator_client.get(response.url).content.decode()
        assert (
            "Imported &quot;Perinatal and infant mental health&quot;: 2 areas, 7 competencies "
            "created." in page
        )
        assert framework.extra["imported_by"] == educator.pk
        # The statement kept as text; nothing of the HTML is run on the page.
        assert "alert(1)" not in page
        assert "<script>alert" not in page

    def test_upload_with_row_errors_lists_them_and_saves_nothing(self, educator_client):
        bad = (
            b"Type,Code,Name,Area,Parent\n"
            b"framework,,Broken framework,,\n"
            b"area,A,Area,,\n"
            b"competency,A1,One,A,\n"
            b"competency,A1,Two,A,A9\n"
        )
        before = counts()

        response = upload(educator_client, bad, "broken.csv")

        assert response.status_code == 200
        assert counts() == before
        page = response.content.decode()
        assert "Nothing was imported: the file has 2 problems to fix" in page
        assert "Code &quot;A1&quot; is already used on row 4." in page
        assert "&quot;A9&quot; does not match any competency code in the file." in page
        assert "<td>5</td>" in page
        assert "<td>Parent</td>" in page

    def test_upload_of_a_non_utf8_file(self, educator_client):
        before = counts()
        response = upload(
            educator_client, "Type,Code,Name\nframework,,Caf\xe9\n".encode("cp1252"), "f.csv"
        )
        assert response.status_code == 200
        assert "The file is not UTF-8 text" in response.content.decode()
        assert counts() == before

    def test_the_format_can_be_chosen(self, educator_client):
        response = upload(educator_client, MOODLE_FIXTURE.read_bytes(), "moodle.txt", "moodle")
        assert response.status_code == 302
        assert Framework.objects.filter(source_id="PIMH-2023").exists()

    def test_the_import_page_documents_the_csv_columns(self, educator_client):
        page = educator_client.get(reverse("competency_frameworks:import")).content.decode()
        for column in ("Type", "Code", "Name", "Area", "Parent", "Level 1", "Crosswalks"):
            assert f"<td>{column}" in page


class TestViewAndExport:
    def test_framework_page_shows_areas_competencies_and_descriptors(
        self, educator_client, sample, django_assert_max_num_queries
    ):
        url = reverse("competency_frameworks:inspect", args=[sample.pk])
        with django_assert_max_num_queries(30):
            page = educator_client.get(url).content.decode()
        competency = sample.competencies.get(code="IDR2")
        assert "Sample framework." in page
        assert "Infant development and relationships" in page
        assert escape(competency.short_name) in page
        assert escape(competency.descriptor(3)) in page
        for fmt in ("json", "csv", "moodle"):
            assert reverse("competency_frameworks:export", args=[sample.pk, fmt]) in page

    def test_nested_competencies_show_below_their_parent(self, educator_client):
        area = AreaFactory(code="A", name="Area A")
        parent = CompetencyFactory(area=area, code="P1", short_name="Parent one")
        CompetencyFactory(area=area, code="P1.1", parent=parent, short_name="Child one")
        page = educator_client.get(
            reverse("competency_frameworks:inspect", args=[area.framework.pk])
        ).content.decode()
        assert page.index("Parent one") < page.index("Child one")
        assert "Nested 1 level below P1" in page

    def test_list_shows_counts(self, educator_client, sample, django_assert_max_num_queries):
        FrameworkFactory.create_batch(3)
        with django_assert_max_num_queries(30):
            page = educator_client.get(reverse("competency_frameworks:index")).content.decode()
        assert sample.name in page
        assert "Import framework" in page

    @pytest.mark.parametrize(
        ("fmt", "content_type", "filename"),
        [
            ("json", "application/json", "sample-imh-framework.json"),
            ("csv", "text/csv; charset=utf-8", "sample-imh-framework.csv"),
            ("moodle", "text/csv; charset=utf-8", "sample-imh-framework-moodle.csv"),
        ],
    )
    def test_export_downloads(self, educator_client, sample, fmt, content_type, filename):
        response = educator_client.get(
            reverse("competency_frameworks:export", args=[sample.pk, fmt])
        )
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
        if fmt == "json":
            assert json.loads(response.content)["framework"]["is_sample"] is True

    def test_unknown_export_format(self, educator_client, sample):
        url = reverse("competency_frameworks:export", args=[sample.pk, "xml"])
        assert educator_client.get(url).status_code == 404


class TestEditing:
    def test_edit_levels_one_per_line(self, educator_client):
        framework = FrameworkFactory(name="Editable", version="1")
        url = reverse("competency_frameworks:edit", args=[framework.pk])
        page = educator_client.get(url).content.decode()
        assert "Level 1\nLevel 2\nLevel 3" in page
        response = educator_client.post(
            url,
            {
                "name": "Editable",
                "version": "1",
                "slug": framework.slug,
                "publisher": "",
                "description": "",
                "licence_note": "",
                "levels": "Informed\nSkilled\nEnhanced\nSpecialist",
                "taxonomies": "Area\nCompetency",
                "source_id": "",
            },
        )
        assert response.status_code == 302
        framework.refresh_from_db()
        assert framework.levels == ["Informed", "Skilled", "Enhanced", "Specialist"]
        assert framework.taxonomies == ["Area", "Competency"]

    def test_levels_in_use_cannot_be_removed(self, educator_client):
        competency = CompetencyFactory()
        framework = competency.framework
        url = reverse("competency_frameworks:edit", args=[framework.pk])
        response = educator_client.post(
            url,
            {
                "name": framework.name,
                "version": framework.version,
                "slug": framework.slug,
                "levels": "Level 1",
                "taxonomies": "",
            },
        )
        assert response.status_code == 200
        assert "Rename levels instead of removing them." in response.content.decode()
        framework.refresh_from_db()
        assert len(framework.levels) == 3

    def test_edit_competency_descriptors_by_level(self, educator_client):
        competency = CompetencyFactory(code="C1", short_name="Old")
        url = reverse("competencies_list:edit", args=[competency.pk])
        page = educator_client.get(url).content.decode()
        assert 'for="id_descriptors_2">Level 2</label>' in page
        response = educator_client.post(
            url,
            {
                "area": competency.area.pk,
                "parent": "",
                "code": "C1",
                "short_name": "New",
                "statement": "Statement",
                "descriptors_1": "One",
                "descriptors_2": "",
                "descriptors_3": "Three",
                "sort_order": 0,
            },
        )
        assert response.status_code == 302
        competency.refresh_from_db()
        assert competency.short_name == "New"
        assert competency.descriptors == {"1": "One", "3": "Three"}

    def test_add_crosswalk_with_choosers(self, educator_client):
        first = CompetencyFactory()
        second = CompetencyFactory()
        page = educator_client.get(reverse("competency_crosswalks:add")).content.decode()
        assert "Choose a competency" in page
        chooser = educator_client.get(reverse("competency_chooser:choose"))
        assert chooser.status_code == 200
        response = educator_client.post(
            reverse("competency_crosswalks:add"),
            {"competency": first.pk, "related": second.pk, "note": "Same idea"},
        )
        assert response.status_code == 302
        link = Crosswalk.objects.get()
        assert (link.competency, link.related, link.note) == (first, second, "Same idea")

    def test_crosswalk_to_itself_is_refused(self, educator_client):
        competency = CompetencyFactory()
        response = educator_client.post(
            reverse("competency_crosswalks:add"),
            {"competency": competency.pk, "related": competency.pk, "note": ""},
        )
        assert response.status_code == 200
        assert "Choose a different competency to link to." in response.content.decode()
        assert not Crosswalk.objects.exists()
