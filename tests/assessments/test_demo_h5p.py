"""The project's own H5P content type (``IMH.CueCheck``): the package built from the
repository is valid and always the same, the command writes and installs it, and the demo
makes it a requirement of a lesson."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pyh5p import Semantics, read_package

from imh_assessments.h5p.demo import (
    DEMO_CONTENT_DIR,
    DEMO_MACHINE_NAME,
    demo_package_bytes,
    demo_package_files,
)
from imh_assessments.h5p.validation import validate_package
from imh_assessments.models import H5PActivity, H5PLibrary
from imh_assessments.services.h5p import h5p_demo_activity_get_or_create
from tests.assessments.xapi_helpers import demo_answers, demo_h5p_activity

LIBRARY = "IMH.CueCheck-1.0"


def _archive() -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(demo_package_bytes()))


def test_package_is_valid_on_its_own():
    result = validate_package(demo_package_bytes(), installed={})
    assert result.is_valid, result.messages
    assert not result.warnings
    assert result.main_library_key == (DEMO_MACHINE_NAME, 1, 0)
    assert set(result.libraries) == {(DEMO_MACHINE_NAME, 1, 0)}


def test_package_and_content_pass_pyh5p():
    """pyh5p reads the whole package, and the content fits the library's semantics."""
    package = read_package(demo_package_bytes())
    assert package.validate(require_content=True) == []
    semantics = Semantics.from_json(
        json.loads((DEMO_CONTENT_DIR / LIBRARY / "semantics.json").read_text())
    )
    assert (
        semantics.validate(json.loads((DEMO_CONTENT_DIR / "content/content.json").read_text()))
        == []
    )


def test_package_is_deterministic():
    first, second = demo_package_bytes(), demo_package_bytes()
    assert first == second
    with _archive() as archive:
        infos = archive.infolist()
    assert infos[0].filename == "h5p.json"
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert [info.filename for info in infos] == [name for name, _ in demo_package_files()]


def test_package_holds_the_library_and_content_and_nothing_hidden(tmp_path):
    with _archive() as archive:
        names = set(archive.namelist())
        library = json.loads(archive.read(f"{LIBRARY}/library.json"))
        json.loads(archive.read(f"{LIBRARY}/semantics.json"))
    assert {"h5p.json", "content/content.json", f"{LIBRARY}/library.json"} <= names
    for item in library["preloadedJs"] + library["preloadedCss"]:
        assert f"{LIBRARY}/{item['path']}" in names
    assert library["license"] == "MIT"
    assert not library.get("preloadedDependencies")  # H5P core only

    # Editor and cache files beside the source never reach the package.
    copy = tmp_path / "content"
    shutil.copytree(DEMO_CONTENT_DIR, copy)
    (copy / ".DS_Store").write_text("x")
    (copy / LIBRARY / "__pycache__").mkdir()
    (copy / LIBRARY / "__pycache__" / "x.pyc").write_text("x")
    assert demo_package_bytes(copy) == demo_package_bytes()


def test_content_matches_the_semantics():
    content = json.loads((DEMO_CONTENT_DIR / "content" / "content.json").read_text())
    semantics = json.loads((DEMO_CONTENT_DIR / LIBRARY / "semantics.json").read_text())
    fields = {field["name"]: field for field in semantics}
    assert set(content) <= set(fields)
    cues = {
        option["value"]
        for option in next(
            f for f in fields["statements"]["field"]["fields"] if f["name"] == "cue"
        )["options"]
    }
    answers = demo_answers()
    assert len(answers) >= 4
    assert {cue for _, cue in answers} == cues  # both kinds of cue are asked about
    l10n = {field["name"]: field["default"] for field in fields["l10n"]["fields"]}
    assert set(content["l10n"]) == set(l10n)


def test_script_uses_only_h5p_core():
    script = (DEMO_CONTENT_DIR / LIBRARY / "cue-check.js").read_text()
    assert "H5P.EventDispatcher" in script
    assert 'triggerXAPIScored(score, maxScore, "answered"' in script
    assert "jQuery" not in script
    assert "innerHTML" not in script  # content is shown as text, never parsed as HTML


@pytest.mark.django_db
def test_activity_is_created_from_the_package():
    activity = demo_h5p_activity()
    assert activity.main_library.machine_name == DEMO_MACHINE_NAME
    assert activity.h5p_json["mainLibrary"] == DEMO_MACHINE_NAME
    assert activity.package_sha256 == hashlib.sha256(demo_package_bytes()).hexdigest()
    assert H5PLibrary.objects.filter(machine_name=DEMO_MACHINE_NAME, runnable=True).count() == 1


@pytest.mark.django_db
def test_get_or_create_makes_one_activity():
    first, created = h5p_demo_activity_get_or_create()
    again, created_again = h5p_demo_activity_get_or_create()
    assert created
    assert not created_again
    assert first.pk == again.pk
    assert first.pass_mark == 80
    assert H5PActivity.objects.count() == 1


def test_command_writes_the_package(tmp_path, capsys):
    target = tmp_path / "cue-check.h5p"
    call_command("h5p_demo_package", output=str(target))
    assert target.read_bytes() == demo_package_bytes()
    assert "Wrote" in capsys.readouterr().out
    call_command("h5p_validate", str(target), ignore_installed=True)
    assert f"ACCEPT {target}" in capsys.readouterr().out


def test_command_needs_something_to_do():
    with pytest.raises(CommandError, match="--output"):
        call_command("h5p_demo_package")


def test_command_reports_a_file_it_cannot_write(tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("h5p_demo_package", output=str(tmp_path / "missing" / "x.h5p"))


@pytest.mark.django_db
def test_command_creates_the_activity_once(capsys):
    call_command("h5p_demo_package", create=True)
    assert "Created H5P activity" in capsys.readouterr().out
    call_command("h5p_demo_package", create=True)
    assert "Already there" in capsys.readouterr().out
    assert H5PActivity.objects.filter(main_library__machine_name=DEMO_MACHINE_NAME).count() == 1


def test_wheel_includes_the_content_type():
    """pyproject's package data names every file of the content type."""
    import tomllib

    root = Path(__file__).resolve().parents[2]
    config = tomllib.loads((root / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["imh_assessments.h5p"]
    package = root / "imh_assessments" / "h5p"
    matched = {path for pattern in patterns for path in package.glob(pattern) if path.is_file()}
    assert {path for _, path in demo_package_files()} <= matched
    assert DEMO_CONTENT_DIR.parent == package
