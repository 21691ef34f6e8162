"""The import service: read a file, work out its format, check it whole, then write it.

A framework with the same name and version as one already here is refused: delete the old
one or give the new file another version.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from imh_competencies.frameworks_io import csv_format, json_format, moodle_format
from imh_competencies.frameworks_io.common import (
    FORMATS,
    FrameworkImportError,
    ImportResult,
    RowError,
)
from imh_competencies.frameworks_io.moodle_format import looks_like_moodle
from imh_competencies.frameworks_io.validation import file_order, validate
from imh_competencies.frameworks_io.writing import write
from imh_competencies.models import Framework

MAX_FILE_BYTES = 5 * 1024 * 1024
SAMPLE_FRAMEWORK_PATH = (
    Path(__file__).resolve().parent.parent / "data" / "sample-imh-framework.json"
)


def _read_bytes(file: IO[bytes] | bytes | str) -> bytes:
    if isinstance(file, bytes):
        return file
    if isinstance(file, str):
        return file.encode("utf-8")
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(MAX_FILE_BYTES + 1)
    return data.encode("utf-8") if isinstance(data, str) else data


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FrameworkImportError(
            [
                RowError(
                    None,
                    None,
                    "The file is not UTF-8 text (the byte at position "
                    f"{error.start} cannot be read). Save it as UTF-8 (in Excel: "
                    '"CSV UTF-8") and try again.',
                )
            ]
        ) from error
    if "\x00" in text:
        raise FrameworkImportError(
            [RowError(None, None, "The file is not a text file. Upload a .csv or .json file.")]
        )
    return text


def detect_format(*, text: str, filename: str) -> str:
    """``json``, ``csv`` or ``moodle`` from the file's extension and first line."""
    suffix = Path(filename or "").suffix.lower()
    stripped = text.lstrip()
    if suffix == ".json" or (suffix not in (".csv", ".txt") and stripped.startswith("{")):
        return "json"
    if suffix in (".csv", ".txt", "") or "," in stripped.split("\n", 1)[0]:
        return "moodle" if looks_like_moodle(text) else "csv"
    raise FrameworkImportError(
        [
            RowError(
                None, None, f'"{filename}" is not a framework file. Upload a .csv or .json file.'
            )
        ]
    )


def _refuse_wrong_type(data: bytes, filename: str) -> None:
    suffix = Path(filename or "").suffix.lower()
    binary_starts = (b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff")
    if data.startswith(binary_starts) or suffix in (".xlsx", ".xls", ".ods", ".pdf", ".zip"):
        raise FrameworkImportError(
            [
                RowError(
                    None,
                    None,
                    f'"{filename}" is not a CSV or JSON file. Spreadsheets must be saved as '
                    '"CSV UTF-8" first.',
                )
            ]
        )


def framework_import(
    *,
    file: IO[bytes] | bytes | str,
    filename: str,
    format: str | None = None,
    imported_by: Any = None,
) -> ImportResult:
    """Read, check and write a framework file; nothing is written unless all of it is right.

    ``format`` is ``json``, ``csv`` or ``moodle``; without it the extension and first line
    decide. Raises ``FrameworkImportError`` (a ``ValidationError``) listing every problem.
    """
    if format and format not in FORMATS:
        raise FrameworkImportError(
            [RowError(None, None, f'"{format}" is not a format: use {", ".join(FORMATS)}.')]
        )
    data = _read_bytes(file)
    if not data.strip():
        raise FrameworkImportError([RowError(None, None, "The file is empty.")])
    if len(data) > MAX_FILE_BYTES:
        raise FrameworkImportError(
            [
                RowError(
                    None,
                    None,
                    f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB. Split the "
                    "framework or remove what it does not need.",
                )
            ]
        )
    _refuse_wrong_type(data, filename)
    text = _decode(data)
    fmt = format or detect_format(text=text, filename=filename)
    if fmt == "csv" and looks_like_moodle(text):
        fmt = "moodle"
    parsers = {"json": json_format.parse, "csv": csv_format.parse, "moodle": moodle_format.parse}
    parsed = parsers[fmt](text)
    if parsed.fields:
        validate(parsed, fmt)
    if parsed.errors:
        raise FrameworkImportError(sorted(parsed.errors, key=file_order))
    if imported_by is not None and getattr(imported_by, "pk", None):
        parsed.fields["extra"] = {
            **parsed.fields.get("extra", {}),
            "imported_by": imported_by.pk,
            "imported_from": Path(filename).name[:200],
        }
    with transaction.atomic():
        try:
            return write(parsed, fmt)
        except ValidationError as error:
            raise FrameworkImportError(
                [RowError(None, None, message) for message in error.messages]
            ) from error


def framework_import_sample() -> Framework:
    """The project's illustrative sample framework, imported once (later calls return it)."""
    data = json.loads(SAMPLE_FRAMEWORK_PATH.read_text(encoding="utf-8"))
    fields = data["framework"]
    existing = Framework.objects.filter(name=fields["name"], version=fields["version"]).first()
    if existing:
        return existing
    return framework_import(
        file=SAMPLE_FRAMEWORK_PATH.read_bytes(), filename=SAMPLE_FRAMEWORK_PATH.name
    ).framework
