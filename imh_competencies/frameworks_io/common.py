"""What the framework formats share: import errors and results, the parsed framework, CSV.

An import reads a file into a ``Parsed`` framework (nothing written yet), checks it whole
(``validation``) and writes it in one transaction (``writing``). Problems come back together,
each naming the row (or JSON item), the column and what is wrong, in a
``FrameworkImportError``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from imh_competencies.models import Competency, Framework
from imh_core.spreadsheets import spreadsheet_unquote

FORMATS = ("json", "csv", "moodle")


# --------------------------------------------------------------------------------------------
# Results and errors
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem in an import file: where (row or item, column) and what is wrong."""

    row: int | str | None
    column: str | None
    message: str

    @property
    def location(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(f"Row {self.row}" if isinstance(self.row, int) else str(self.row))
        if self.column:
            parts.append(f'column "{self.column}"')
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class FrameworkImportError(ValidationError):
    """An import refused; ``row_errors`` holds every problem found, in file order."""

    def __init__(self, row_errors: list[RowError]):
        self.row_errors = list(row_errors)
        super().__init__([str(error) for error in self.row_errors], code="invalid_import")


def framework_title(framework: Framework) -> str:
    """Name and version, as people refer to a framework (samples say so in their name)."""
    return f"{framework.name} {framework.version}".strip()


@dataclass
class ImportResult:
    """What an import made, for the message shown after it."""

    framework: Framework
    format: str
    areas_created: int = 0
    competencies_created: int = 0
    crosswalks_created: int = 0
    pending_crosswalks: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        areas = f"{self.areas_created} area{'s' if self.areas_created != 1 else ''}"
        competencies = (
            f"{self.competencies_created} "
            f"{'competency' if self.competencies_created == 1 else 'competencies'}"
        )
        return f'Imported "{framework_title(self.framework)}": {areas}, {competencies} created.'


# --------------------------------------------------------------------------------------------
# The parsed, not yet written, framework
# --------------------------------------------------------------------------------------------


@dataclass
class Ref:
    """A crosswalk target: a code in this file (framework empty) or in another framework."""

    code: str
    framework: str = ""
    framework_name: str = ""
    framework_version: str = ""
    note: str = ""


@dataclass
class ParsedArea:
    """An area as read from the file."""

    code: str
    name: str
    where: int | str
    description: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class ParsedCompetency:
    """A competency as read from the file; ``area`` is filled in for nested ones by validation."""

    code: str
    short_name: str
    where: int | str
    area: str = ""
    parent: str = ""
    statement: str = ""
    descriptors: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    crosswalks: list[Ref] = field(default_factory=list)


@dataclass
class Parsed:
    """A framework read from a file, not yet checked or written, with the problems found so far."""

    fields: dict[str, Any] = field(default_factory=dict)
    areas: list[ParsedArea] = field(default_factory=list)
    competencies: list[ParsedCompetency] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Column names as the file spells them, for messages.
    columns: dict[str, str] = field(default_factory=dict)
    # Symmetric links (Moodle's related competencies): one crosswalk per pair.
    symmetric_links: bool = False

    def error(self, where: int | str | None, column: str | None, message: str) -> None:
        self.errors.append(RowError(where, column, message))

    def column(self, key: str) -> str:
        return self.columns.get(key, key)


# --------------------------------------------------------------------------------------------
# CSV files (ours and Moodle's)
# --------------------------------------------------------------------------------------------


def csv_rows(text: str, parsed: Parsed) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and (row number, {header: value}) pairs; row 1 is the header."""
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        rows = list(reader)
    except csv.Error as error:
        parsed.error(None, None, f"The CSV cannot be read: {error}.")
        return [], []
    # Row numbers as a spreadsheet shows them: the header is row 1 (quoted line breaks aside).
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        parsed.error(None, None, "The file is empty.")
        return [], []
    header = [cell.strip() for cell in rows[0]]
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
            parsed.error(
                number,
                None,
                f"has {len(row)} values but the header has {len(header)} columns.",
            )
        records.append(
            (
                number,
                {
                    h: spreadsheet_unquote(row[i]) if i < len(row) else ""
                    for i, h in enumerate(header)
                },
            )
        )
    if not records:
        parsed.error(None, None, "The file has a header row but no framework in it.")
    return header, records


def csv_bytes(rows: Iterable[list[str]], *, bom: bool) -> bytes:
    """Rows as CSV bytes (CRLF line ends), with a byte order mark when ``bom`` is set."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode("utf-8") + buffer.getvalue().encode("utf-8")


# --------------------------------------------------------------------------------------------
# What an export says of a framework's extra data and crosswalks
# --------------------------------------------------------------------------------------------


# Kept by this site only: never exported.
PRIVATE_EXTRA_KEYS = {"pending_crosswalks", "imported_by", "imported_from"}


def public_extra(extra: dict) -> dict:
    """``extra`` without the keys only this site uses."""
    return {key: value for key, value in (extra or {}).items() if key not in PRIVATE_EXTRA_KEYS}


def link_entries(competency: Competency) -> list[dict]:
    """A competency's crosswalks as the export writes them, pending ones included."""
    links = []
    for link in competency.crosswalk_links.all():
        related = link.related
        entry = {"code": related.code, "note": link.note}
        if related.framework_id != competency.framework_id:
            entry = {
                "framework": related.framework.slug,
                "framework_name": related.framework.name,
                "framework_version": related.framework.version,
                **entry,
            }
        links.append({key: value for key, value in entry.items() if value != ""})
    links.extend(competency.extra.get("pending_crosswalks") or [])
    return links
