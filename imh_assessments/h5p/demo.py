"""The project's own H5P content type, ``IMH.CueCheck``, and a small package that uses it.

The source lives beside this module in ``demo_content/``: ``h5p.json`` and
``content/content.json`` (the content: six descriptions of a baby's behaviour to sort into
engagement and disengagement cues) and the library folder ``IMH.CueCheck-1.0/``
(``library.json``, ``semantics.json``, the script and the stylesheet). It needs nothing but
H5P core, so the demo and the tests have a working H5P activity without files from elsewhere.

``demo_package_bytes`` zips the folder into an ``.h5p`` package in memory. The result is
deterministic: the same files always give the same bytes (fixed order, dates and modes), so
its digest identifies the package.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

DEMO_CONTENT_DIR = Path(__file__).resolve().parent / "demo_content"
DEMO_PACKAGE_NAME = "imh-cue-check.h5p"
DEMO_TITLE = "Reading a baby's cues"
DEMO_MACHINE_NAME = "IMH.CueCheck"

# 1980-01-01, the earliest date a ZIP archive can hold: no build time leaks into the bytes.
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = 0o100644 << 16


def demo_package_files(folder: Path = DEMO_CONTENT_DIR) -> list[tuple[str, Path]]:
    """The files of the package as (name in the archive, path on disk), in archive order.

    Names starting with ``.`` or ``_`` (editor and cache files) are left out, as H5P does.
    """
    files = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if not path.is_file() or any(part[:1] in (".", "_") for part in relative.parts):
            continue
        files.append((relative.as_posix(), path))
    if not files:
        raise FileNotFoundError(f"The H5P content type's files are missing from {folder}.")
    # h5p.json first, then the content, then the library, each in name order.
    return sorted(files, key=lambda item: (item[0] != "h5p.json", item[0]))


def demo_package_bytes(folder: Path = DEMO_CONTENT_DIR) -> bytes:
    """The ``.h5p`` package built from ``folder``, always the same bytes for the same files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, path in demo_package_files(folder):
            info = zipfile.ZipInfo(name, date_time=_FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = _FILE_MODE
            info.create_system = 3  # Unix, whatever system builds it
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    return buffer.getvalue()


def demo_package_sha256() -> str:
    return hashlib.sha256(demo_package_bytes()).hexdigest()
