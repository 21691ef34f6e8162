"""``manage.py h5p_validate``: one line per file and a failing exit status on any rejection."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from imh_assessments.h5p.validation import CONTENT_EXTENSIONS
from imh_assessments.models import H5PLibrary
from tests.assessments import h5p_builders as b

pytestmark = pytest.mark.django_db


def run(*files: str, **options) -> tuple[int, list[str]]:
    out = io.StringIO()
    try:
        call_command("h5p_validate", *files, stdout=out, **options)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue().splitlines()


def test_accepted_real_packages_exit_zero():
    names = [str(b.fixture(n)) for n in ("true-false.h5p", "drag-text.h5p", "greeting-card.h5p")]
    code, lines = run(*names)
    assert code == 0
    assert lines == [f"ACCEPT {name}" for name in names]


def test_any_rejection_exits_one_and_every_file_gets_a_line():
    good = str(b.fixture("greeting-card.h5p"))
    corrupt = str(b.fixture("invalid-corrupt-archive.h5p"))
    broken = str(b.fixture("invalid-broken-h5p-json.h5p"))
    code, lines = run(good, corrupt, broken)
    assert code == 1
    assert lines[0] == f"ACCEPT {good}"
    assert lines[1].startswith(f"REJECT {corrupt}: the file is not a ZIP archive")
    assert lines[2].startswith(f"REJECT {broken}: h5p.json: the file is not valid JSON")


def test_reasons_are_joined_with_semicolons(tmp_path):
    path = tmp_path / "bad.h5p"
    files = b.with_files({"content/run.php": "x", "../evil.txt": "x"})
    path.write_bytes(b.build(files))
    code, lines = run(str(path))
    assert code == 1
    allowed = ", ".join(sorted(CONTENT_EXTENSIONS))
    assert lines == [
        f"REJECT {path}: content/run.php: files of type .php are not allowed in content "
        f"(allowed: {allowed}); ../evil.txt: the path climbs out of the package ('..'), which "
        "is not allowed"
    ]


def test_missing_file():
    code, lines = run("/no/such/package.h5p")
    assert code == 1
    assert lines == ["REJECT /no/such/package.h5p: file not found"]


def test_installed_libraries_count_unless_ignored(tmp_path):
    path = tmp_path / "content-only.h5p"
    files = {n: v for n, v in b.valid_files().items() if not n.startswith("H5P.Helper-2.0/")}
    path.write_bytes(b.build(files))
    assert run(str(path))[0] == 1
    H5PLibrary.objects.create(
        machine_name="H5P.Helper", major_version=2, minor_version=0, storage_path="x/"
    )
    assert run(str(path)) == (0, [f"ACCEPT {path}"])
    assert run(str(path), ignore_installed=True)[0] == 1


def test_warnings_on_request(tmp_path):
    path = tmp_path / "warn.h5p"
    path.write_bytes(b.build(b.with_files({}, remove=["content/images/a.png"])))
    code, lines = run(str(path), warnings=True)
    assert code == 0
    assert lines == [
        f"ACCEPT {path}",
        "  warning: content/content.json: refers to images/a.png, which is not in the package",
    ]
