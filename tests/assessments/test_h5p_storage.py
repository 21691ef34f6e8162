"""Storing H5P packages: layout, shared libraries, and nothing left behind on failure."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage, default_storage

from imh_assessments.h5p.storage import delete_prefix
from imh_assessments.models import H5PActivity, H5PLibrary
from imh_assessments.selectors.h5p import (
    activity_asset_storage_path,
    activity_content_prefix,
    h5p_installed_libraries,
)
from imh_assessments.services.h5p import (
    h5p_activity_create,
    h5p_activity_delete,
    h5p_activity_update,
)
from tests.assessments import h5p_builders as b
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_storage(settings):
    """A new, empty in-memory storage for each test (changing STORAGES resets it)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


def stored(prefix: str = "") -> set[str]:
    """Every file name in default storage under ``prefix``."""
    names: set[str] = set()
    try:
        folders, files = default_storage.listdir(prefix.rstrip("/"))
    except FileNotFoundError:
        return names
    names.update(f"{prefix}{name}" for name in files)
    for folder in folders:
        names |= stored(f"{prefix}{folder}/")
    return names


def upload(data: bytes, name: str = "activity.h5p", **kwargs) -> H5PActivity:
    kwargs.setdefault("title", "Activity")
    return h5p_activity_create(file=ContentFile(data, name=name), **kwargs)


def fixture_file(name: str) -> ContentFile:
    return ContentFile(b.fixture(name).read_bytes(), name=name)


def test_real_package_is_stored_in_the_agreed_layout():
    user = UserFactory()
    data = b.fixture("drag-text.h5p").read_bytes()
    activity = h5p_activity_create(
        title="Drag the words",
        file=ContentFile(data, name="drag-text.h5p"),
        uploaded_by=user,
        scoring_policy="last",
        pass_mark=80,
    )
    activity.refresh_from_db()
    prefix = f"h5p/content/{activity.uuid}/"
    assert activity.content_path == prefix == activity_content_prefix(activity)
    assert default_storage.exists(f"{prefix}content.json")
    assert default_storage.exists(f"{prefix}h5p.json")
    assert default_storage.exists("h5p/libraries/H5P.DragText-1.8/library.json")
    assert default_storage.exists("h5p/libraries/H5P.DragText-1.8/dist/h5p-drag-text.js")
    assert default_storage.exists("h5p/libraries/jQuery.ui-1.10/library.json")
    # The stored bytes are the package's.
    with default_storage.open(f"{prefix}h5p.json") as stored_file:
        assert b'"mainLibrary"' in stored_file.read()
    assert activity.package_sha256 == hashlib.sha256(data).hexdigest()
    assert activity.package_size == len(data)
    assert activity.package.name.startswith("h5p/packages/")
    assert activity.h5p_json["mainLibrary"] == "H5P.DragText"
    assert activity.main_library.folder_name == "H5P.DragText-1.8"
    assert activity.uploaded_by == user
    assert activity.scoring_policy == "last"
    assert activity.pass_mark == 80
    folders = {library.folder_name for library in activity.libraries.all()}
    assert {"H5P.DragText-1.8", "jQuery.ui-1.10", "H5P.Question-1.4", "FontAwesome-4.5"} <= folders
    # Editor libraries are stored (they are in the package) but the content does not load them.
    assert "H5PEditor.RangeList-1.0" not in folders
    assert H5PLibrary.objects.filter(machine_name="H5PEditor.RangeList").exists()
    library = H5PLibrary.objects.get(machine_name="H5P.DragText")
    assert library.storage_path == "h5p/libraries/H5P.DragText-1.8/"
    assert (library.patch_version, library.runnable, library.title) == (8, True, "Drag Text")


def test_true_false_extra_top_level_file_is_not_stored():
    activity = h5p_activity_create(title="TF", file=fixture_file("true-false.h5p"))
    assert not any("H5P_CONTENT_HERE" in name for name in stored())
    assert default_storage.exists(f"{activity.content_path}content.json")


def test_libraries_shared_between_activities_are_stored_once():
    first = upload(b.build(), title="First")
    files_after_first = stored("h5p/libraries/")
    second = upload(b.build(), title="Second")
    assert stored("h5p/libraries/") == files_after_first
    assert H5PLibrary.objects.count() == 2
    assert set(first.libraries.all()) == set(second.libraries.all())
    assert first.content_path != second.content_path
    assert default_storage.exists(f"{second.content_path}content.json")


def test_second_package_may_rely_on_installed_libraries():
    upload(b.build(), title="First")
    content_only = {
        n: v for n, v in b.valid_files().items() if n == "h5p.json" or n.startswith("content/")
    }
    activity = upload(b.build(content_only), title="Content only")
    assert activity.main_library.machine_name == "H5P.Sample"
    assert activity.libraries.count() == 2


def test_installed_library_is_kept_when_a_newer_patch_arrives():
    upload(b.build(), title="First")
    newer = b.with_files(
        {
            "H5P.Helper-2.0/library.json": b.helper_library_json(patchVersion=9),
            "H5P.Helper-2.0/helper.js": "changed",
        }
    )
    upload(b.build(newer), title="Second")
    assert H5PLibrary.objects.get(machine_name="H5P.Helper").patch_version == 1
    with default_storage.open("h5p/libraries/H5P.Helper-2.0/helper.js") as kept:
        assert kept.read() == b"H5P.Helper = {};"


def test_library_installed_by_a_concurrent_upload_is_used(monkeypatch):
    """Another upload committed the library after this one read the installed list."""
    upload(b.build(), title="First")
    files_before = stored("h5p/libraries/")
    monkeypatch.setattr("imh_assessments.services.h5p.h5p_installed_libraries", lambda: {})
    second = upload(b.build(), title="Second")
    assert stored("h5p/libraries/") == files_before
    assert H5PLibrary.objects.count() == 2
    assert second.libraries.count() == 2


def test_rejected_upload_leaves_nothing():
    before = stored()
    data = b.build(b.with_files({"content/run.php": "<?php"}))
    with pytest.raises(ValidationError) as caught:
        upload(data)
    assert "content/run.php: files of type .php are not allowed" in str(caught.value)
    assert stored() == before
    assert not H5PActivity.objects.exists()
    assert not H5PLibrary.objects.exists()


# 7 writes: the new library (2 files), content (4 with h5p.json), then the package file.
@pytest.mark.parametrize("fail_on", [1, 2, 3, 6, 7])
def test_failure_mid_extraction_leaves_nothing(monkeypatch, fail_on):
    """Storage fails on the Nth file written: every file written before it is removed."""
    upload(b.build(), title="Installed first")  # some files that must survive
    before = stored()
    rows = (H5PActivity.objects.count(), H5PLibrary.objects.count())
    calls = {"n": 0}
    real_save = InMemoryStorage.save

    def flaky_save(self, name, content, max_length=None):
        calls["n"] += 1
        if calls["n"] == fail_on:
            raise OSError("storage is unavailable")
        return real_save(self, name, content, max_length=max_length)

    monkeypatch.setattr(InMemoryStorage, "save", flaky_save)
    files = b.with_files(
        {
            "H5P.Extra-1.0/library.json": b.helper_library_json(
                machineName="H5P.Extra", majorVersion=1, preloadedJs=[{"path": "extra.js"}]
            ),
            "H5P.Extra-1.0/extra.js": "x",
            "content/images/b.png": b"png",
        }
    )
    files["h5p.json"] = b.h5p_json(
        preloadedDependencies=[
            *b.h5p_json()["preloadedDependencies"],
            {"machineName": "H5P.Extra", "majorVersion": 1, "minorVersion": 0},
        ]
    )
    with pytest.raises(ValidationError) as caught:
        upload(b.build(files), title="Fails")
    assert "could not be stored" in str(caught.value)
    assert calls["n"] == fail_on
    assert stored() == before
    assert (H5PActivity.objects.count(), H5PLibrary.objects.count()) == rows


def test_failure_when_saving_the_row_leaves_nothing(monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(H5PActivity, "save", broken_save)
    with pytest.raises(RuntimeError):
        upload(b.build())
    assert stored() == set()
    assert not H5PLibrary.objects.exists()


def test_lying_zip_header_is_refused_and_nothing_stored():
    files = b.with_files({"content/content.json": '{"a": "' + "x" * 50_000 + '"}'})
    data = b.lying_sizes(b.build(files), "content/content.json", 10)
    with pytest.raises(ValidationError):
        upload(data)
    assert stored() == set()


def test_leftover_library_files_from_a_failed_attempt_are_replaced():
    default_storage.save("h5p/libraries/H5P.Helper-2.0/helper.js", ContentFile(b"stale"))
    upload(b.build())
    assert stored("h5p/libraries/H5P.Helper-2.0/") == {
        "h5p/libraries/H5P.Helper-2.0/helper.js",
        "h5p/libraries/H5P.Helper-2.0/library.json",
    }
    with default_storage.open("h5p/libraries/H5P.Helper-2.0/helper.js") as current:
        assert current.read() == b"H5P.Helper = {};"


def test_replacing_the_package_writes_a_new_prefix_then_deletes_the_old(
    django_capture_on_commit_callbacks,
):
    activity = upload(b.build())
    old_prefix, old_package = activity.content_path, activity.package.name
    changed = b.with_files({"content/content.json": {"question": "Changed?"}})
    with django_capture_on_commit_callbacks(execute=True):
        h5p_activity_update(
            activity=activity,
            title="Renamed",
            scoring_policy="best",
            pass_mark=100,
            file=ContentFile(b.build(changed), name="new.h5p"),
        )
    activity.refresh_from_db()
    assert activity.title == "Renamed"
    assert activity.content_path != old_prefix
    assert activity.content_path.startswith(f"h5p/content/{activity.uuid}-")
    assert stored(old_prefix) == set()
    assert not default_storage.exists(old_package)
    with default_storage.open(f"{activity.content_path}content.json") as content:
        assert b"Changed?" in content.read()


def test_failed_replacement_keeps_the_old_package(django_capture_on_commit_callbacks):
    activity = upload(b.build())
    before = stored()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        h5p_activity_update(
            activity=activity,
            title="Renamed",
            scoring_policy="best",
            pass_mark=100,
            file=ContentFile(b"not a zip", name="new.h5p"),
        )
    assert stored() == before
    activity.refresh_from_db()
    assert activity.title == "Activity"
    assert default_storage.exists(f"{activity.content_path}content.json")


def test_settings_only_update_keeps_files():
    activity = upload(b.build())
    before = stored()
    h5p_activity_update(activity=activity, title="New", scoring_policy="first", pass_mark=50)
    activity.refresh_from_db()
    assert (activity.title, activity.scoring_policy) == ("New", "first")
    assert stored() == before


def test_deleting_an_activity_deletes_its_content_but_keeps_shared_libraries(
    django_capture_on_commit_callbacks,
):
    first = upload(b.build(), title="First")
    second = upload(b.build(), title="Second")
    libraries = stored("h5p/libraries/")
    with django_capture_on_commit_callbacks(execute=True):
        h5p_activity_delete(activity=first)
    assert stored(first.content_path) == set()
    assert not default_storage.exists(first.package.name)
    assert stored("h5p/libraries/") == libraries
    assert default_storage.exists(f"{second.content_path}content.json")
    assert h5p_installed_libraries() == {("H5P.Sample", 1, 2): 3, ("H5P.Helper", 2, 0): 1}


def test_delete_prefix_removes_nested_files():
    for name in ("h5p/content/x/a.json", "h5p/content/x/images/b.png", "h5p/content/y/c.json"):
        default_storage.save(name, ContentFile(b"1"))
    assert delete_prefix("h5p/content/x/") == 2
    assert stored() == {"h5p/content/y/c.json"}
    assert delete_prefix("h5p/content/missing/") == 0


def test_asset_paths_for_the_player():
    activity = upload(b.build())
    prefix = activity.content_path
    assert activity_asset_storage_path(activity, "h5p.json") == f"{prefix}h5p.json"
    assert activity_asset_storage_path(activity, "content/content.json") == (
        f"{prefix}content.json"
    )
    assert activity_asset_storage_path(activity, "content/images/a.png") == (
        f"{prefix}images/a.png"
    )
    assert activity_asset_storage_path(activity, "libraries/H5P.Sample-1.2/js/sample.js") == (
        "h5p/libraries/H5P.Sample-1.2/js/sample.js"
    )
    for path in (
        "libraries/H5P.Other-1.0/x.js",  # not a library of this activity
        "content/../../secret.json",
        "/etc/passwd",
        "libraries/H5P.Sample-1.2",
        "library.json",
        "",
        "content/",
    ):
        assert activity_asset_storage_path(activity, path) is None, path
    for path in (
        activity_asset_storage_path(activity, "content/images/a.png"),
        activity_asset_storage_path(activity, "libraries/H5P.Sample-1.2/library.json"),
    ):
        assert default_storage.exists(path)


def test_upload_accepts_a_plain_file_object():
    activity = h5p_activity_create(title="Plain", file=io.BytesIO(b.build()))
    assert activity.package.name.endswith(".h5p")
