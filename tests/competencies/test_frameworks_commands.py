"""``competencies_import`` and ``competencies_export``: output, files and exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from imh_competencies.frameworks_io import SAMPLE_FRAMEWORK_PATH, framework_import_sample
from imh_competencies.models import Area, Competency, Crosswalk, Framework

pytestmark = pytest.mark.django_db

MOODLE_FIXTURE = Path(__file__).parent / "data" / "moodle-framework-export.csv"


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts() -> tuple[int, int, int, int]:
    return (
        Framework.objects.count(),
        Area.objects.count(),
        Competency.objects.count(),
        Crosswalk.objects.count(),
    )


def test_import_prints_the_framework_and_counts():
    out, err = run("competencies_import", str(SAMPLE_FRAMEWORK_PATH))
    assert out.splitlines()[0] == (
        'Imported "Infant Mental Health Competency Framework (sample) 1.0": '
        "7 areas, 21 competencies created."
    )
    assert err == ""
    assert Framework.objects.get().is_sample


def test_import_detects_a_moodle_export():
    out, _ = run("competencies_import", str(MOODLE_FIXTURE))
    assert out.splitlines()[0] == (
        'Imported "Perinatal and infant mental health": 2 areas, 7 competencies created.'
    )
    assert "1 crosswalks made." in out
    assert 'Warning: Row 7: the cross-reference "EXT-7" matches no competency here' in out


def test_import_failure_exits_non_zero_with_row_errors_on_stderr(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Type,Code,Name,Area,Parent\n"
        "framework,,Broken,,\n"
        "area,A,Area,,\n"
        "competency,C1,One,,C2\n"
        "competency,C2,Two,,C1\n",
        encoding="utf-8",
    )
    before = counts()
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(SystemExit) as exited:
        call_command("competencies_import", str(bad), stdout=out, stderr=err)

    assert exited.value.code == 1
    assert out.getvalue() == ""
    assert err.getvalue().splitlines() == [
        'Nothing was imported from "bad.csv": 1 problem to fix.',
        '  Row 4, column "Parent": the parent links go round in a circle (C1 → C2 → C1).',
    ]
    assert counts() == before


def test_import_of_the_same_framework_twice_is_refused():
    run("competencies_import", str(SAMPLE_FRAMEWORK_PATH))
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("competencies_import", str(SAMPLE_FRAMEWORK_PATH), stderr=err)
    assert "is already here" in err.getvalue()
    assert Framework.objects.count() == 1


def test_import_of_a_missing_file():
    with pytest.raises(CommandError, match=r'"nowhere\.csv" is not a file\.'):
        run("competencies_import", "nowhere.csv")


def test_import_sample_option_is_idempotent():
    out, _ = run("competencies_import", "--sample")
    assert "7 areas, 21 competencies" in out
    run("competencies_import", "--sample")
    assert Framework.objects.count() == 1


@pytest.mark.parametrize("fmt", ["json", "csv", "moodle"])
def test_export_to_a_file_imports_again(tmp_path, fmt):
    framework = framework_import_sample()
    target = tmp_path / f"out.{'json' if fmt == 'json' else 'csv'}"

    _, err = run("competencies_export", framework.slug, "--format", fmt, "-o", str(target))

    assert f"to {target}" in err
    framework.delete()
    out, _ = run("competencies_import", str(target))
    assert "7 areas, 21 competencies created." in out


def test_export_to_stdout():
    framework = framework_import_sample()
    out, _ = run("competencies_export", framework.slug)
    assert json.loads(out)["framework"]["name"] == framework.name


def test_export_of_an_unknown_slug():
    with pytest.raises(CommandError, match='No framework has the slug "nope"'):
        run("competencies_export", "nope")
