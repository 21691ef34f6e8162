"""Educators upload, replace and delete H5P activities in the Wagtail admin."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imh_assessments.models import H5PActivity, H5PLibrary
from tests.assessments import h5p_builders as b
from tests.competencies.factories import CompetencyFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "wagtailsnippets_imh_assessments_h5pactivity"


@pytest.fixture(autouse=True)
def _fresh_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


@pytest.fixture
def educator(client):
    user = UserFactory(username="educator", first_name="Erin", last_name="Educator")
    user.groups.add(Group.objects.get(name="Educators"))
    client.force_login(user)
    return user


def stored() -> set[str]:
    def walk(prefix: str) -> set[str]:
        try:
            folders, files = default_storage.listdir(prefix.rstrip("/"))
        except FileNotFoundError:
            return set()
        names = {f"{prefix}{name}" for name in files}
        for folder in folders:
            names |= walk(f"{prefix}{folder}/")
        return names

    return walk("")


def form_data(package=None, **fields):
    data = {
        "title": "Is this false?",
        "scoring_policy": "best",
        "pass_mark": "80",
        "competency_mappings-TOTAL_FORMS": "0",
        "competency_mappings-INITIAL_FORMS": "0",
        "competency_mappings-MIN_NUM_FORMS": "0",
        "competency_mappings-MAX_NUM_FORMS": "1000",
    }
    if package is not None:
        data["package"] = package
    data.update(fields)
    return data


def fixture_upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b.fixture(name).read_bytes(), "application/zip")


def test_educator_uploads_a_real_package_with_a_competency(client, educator):
    assert client.get(reverse(f"{URL}:add")).status_code == 200
    competency = CompetencyFactory()
    data = form_data(
        fixture_upload("true-false.h5p"),
        **{
            "competency_mappings-TOTAL_FORMS": "1",
            "competency_mappings-0-competency": str(competency.pk),
            "competency_mappings-0-level": "1",
            "competency_mappings-0-ORDER": "1",
        },
    )
    response = client.post(reverse(f"{URL}:add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    activity = H5PActivity.objects.get()
    assert activity.uploaded_by == educator
    assert activity.main_library.machine_name == "H5P.TrueFalse"
    assert [m.competency for m in activity.competency_mappings.all()] == [competency]
    assert default_storage.exists(f"h5p/content/{activity.uuid}/content.json")

    listing = client.get(reverse(f"{URL}:list")).content.decode()
    assert "Is this false?" in listing
    assert "H5P.TrueFalse 1.6" in listing
    assert "Erin Educator" in listing
    assert "KB" in listing


def test_refused_package_shows_every_fault_and_stores_nothing(client, educator):
    files = b.with_files({"content/run.php": "x"}, remove=[f"{b.LIBRARY}/js/sample.js"])
    upload = SimpleUploadedFile("broken.h5p", b.build(files))
    response = client.post(reverse(f"{URL}:add"), form_data(upload))
    assert response.status_code == 200
    page = response.content.decode()
    assert "The H5P package was refused: content/run.php: files of type .php" in page
    assert (
        f"{b.LIBRARY}/js/sample.js: this file is listed in {b.LIBRARY}/library.json "
        "(preloadedJs) but is missing from the package"
    ) in page
    assert not H5PActivity.objects.exists()
    assert not H5PLibrary.objects.exists()
    assert stored() == set()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("invalid-corrupt-archive.h5p", "not a ZIP archive"),
        ("invalid-library-directory-name.h5p", "the folder name does not match its library.json"),
    ],
)
def test_invalid_fixtures_are_refused_in_the_admin(client, educator, name, expected):
    response = client.post(reverse(f"{URL}:add"), form_data(fixture_upload(name)))
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert not H5PActivity.objects.exists()
    assert stored() == set()


def test_file_must_be_an_h5p(client, educator):
    upload = SimpleUploadedFile("notes.zip", b.build())
    response = client.post(reverse(f"{URL}:add"), form_data(upload))
    assert "Choose an .h5p file" in response.content.decode()
    assert not H5PActivity.objects.exists()


def test_storage_failure_after_validation_is_shown_not_a_crash(client, educator, monkeypatch):
    from django.core.files.storage import InMemoryStorage

    def broken(self, name, content, max_length=None):
        raise OSError("bucket unavailable")

    monkeypatch.setattr(InMemoryStorage, "save", broken)
    upload = SimpleUploadedFile("ok.h5p", b.build())
    response = client.post(reverse(f"{URL}:add"), form_data(upload))
    assert response.status_code == 200
    assert "could not be stored" in response.content.decode()
    assert not H5PActivity.objects.exists()


def test_edit_settings_and_replace_the_package(
    client, educator, django_capture_on_commit_callbacks
):
    client.post(reverse(f"{URL}:add"), form_data(SimpleUploadedFile("a.h5p", b.build())))
    activity = H5PActivity.objects.get()
    old_prefix, old_package = activity.content_path, activity.package.name
    assert default_storage.exists(old_package)
    edit = reverse(f"{URL}:edit", args=[activity.pk])
    assert client.get(edit).status_code == 200

    response = client.post(edit, form_data(title="Renamed"))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.content_path) == ("Renamed", old_prefix)

    changed = b.with_files({"content/content.json": {"question": "New?"}})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit, form_data(SimpleUploadedFile("b.h5p", b.build(changed)), title="Renamed")
        )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.content_path != old_prefix
    assert not default_storage.exists(f"{old_prefix}content.json")
    assert not default_storage.exists(old_package)
    assert default_storage.exists(activity.package.name)
    assert default_storage.exists(f"{activity.content_path}content.json")

    response = client.post(
        edit, form_data(SimpleUploadedFile("c.h5p", b"nonsense"), title="Renamed")
    )
    assert response.status_code == 200
    assert "not a ZIP archive" in response.content.decode()
    activity.refresh_from_db()
    assert default_storage.exists(f"{activity.content_path}content.json")


def test_delete_removes_content_files(client, educator, django_capture_on_commit_callbacks):
    client.post(reverse(f"{URL}:add"), form_data(SimpleUploadedFile("a.h5p", b.build())))
    activity = H5PActivity.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(f"{URL}:delete", args=[activity.pk]))
    assert response.status_code == 302
    assert not H5PActivity.objects.exists()
    assert not any(name.startswith("h5p/content/") for name in stored())
    assert H5PLibrary.objects.count() == 2


def test_people_outside_educators_cannot_upload(client):
    user = UserFactory(username="trainee")
    client.force_login(user)
    response = client.get(reverse(f"{URL}:add"))
    assert response.status_code in (302, 403)


def test_educators_can_look_up_installed_libraries_but_not_change_them(client, educator):
    client.post(reverse(f"{URL}:add"), form_data(SimpleUploadedFile("a.h5p", b.build())))
    response = client.get(reverse("h5p_libraries:index"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "H5P.Sample" in page
    assert "1.2.3" in page
    library = H5PLibrary.objects.get(machine_name="H5P.Sample")
    assert client.get(reverse("h5p_libraries:inspect", args=[library.pk])).status_code == 200
    assert client.get(reverse("h5p_libraries:edit", args=[library.pk])).status_code in (302, 403)
    assert client.post(reverse("h5p_libraries:delete", args=[library.pk])).status_code in (
        302,
        403,
    )
    assert H5PLibrary.objects.filter(pk=library.pk).exists()
