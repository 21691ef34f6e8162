"""Import and export of competency frameworks: our JSON and CSV formats and Moodle's CSV.

Every import is read and checked completely before anything is written; then the whole
framework is written in one transaction. Problems come back together, each naming the row
(or JSON item), the column and what is wrong, in a ``FrameworkImportError``.

Formats
-------

``json`` (our own, lossless)::

    {"format": "imh-competency-framework", "format_version": 1,
     "framework": {"name", "version", "slug", "publisher", "licence_note", "description",
                   "levels": [...], "taxonomies": [...], "is_sample", "source_id", "extra"},
     "areas": [{"code", "name", "description", "extra"}, ...],
     "competencies": [{"code", "area", "parent", "short_name", "statement",
                       "descriptors": {"1": "...", "2": "..."}, "extra",
                       "crosswalks": [{"framework", "code", "note"}]}, ...]}

``csv`` (our own; UTF-8, comma separated, one row per framework, area or competency):

=================  ===========================================================================
Column             Meaning
=================  ===========================================================================
Type               Required. ``framework`` (exactly one, the first data row), ``area`` or
                   ``competency``.
Code               Required for areas and competencies: unique within the framework.
                   On the framework row: the framework's own id number (optional).
Name               Required. The framework's name, the area's name or the competency's short
                   name.
Area               Competencies: the code of their area. Nested competencies may leave it
                   empty (they are in their parent's area).
Parent             Competencies nested below another competency: the parent's code.
Description        Framework or area description; a competency's statement.
Level 1, Level 2…  A competency's descriptor at each level, one column per level by number.
Version, Slug,     Framework row only. ``Levels`` and ``Taxonomies`` list labels separated by
Publisher,         ``|`` (lowest level first; top depth first). Without ``Levels`` the
Licence note,      framework has three: Level 1, Level 2, Level 3. ``Sample`` is yes or no.
Levels,
Taxonomies,
Sample
Crosswalks         Competencies: related competencies separated by ``;``. ``CODE`` for one
                   in the same file, ``framework-slug:CODE`` for one in another framework.
                   Crosswalk notes are kept only in JSON.
Extra              Optional JSON object kept with the row (what other systems need back).
=================  ===========================================================================

``moodle``: the CSV that Moodle's "Export competency framework" (tool_lpimportcsv) writes,
accepted as-is (UTF-8 with or without a byte order mark). The row with "Is framework" set is
the framework (its "Taxonomy" gives the label of each depth); top-level competencies become
areas, their children competencies, deeper ones competencies nested with ``parent``.
Descriptions are HTML there: we keep plain text (tags removed) and keep the original HTML,
description format, scale, rules and exported id in ``extra["moodle"]`` so a Moodle export
gives them back. Moodle scales are not our levels: a Moodle framework gets three levels
(Level 1..3), which educators can rename in the admin.

Crosswalks to another framework refer to it by slug (or name and version). If that framework
is not here yet, the link is kept as pending in the competency's ``extra["pending_crosswalks"]``
and made as soon as that framework is imported; the import result lists them as warnings.

A framework with the same name and version as one already here is refused: delete the old
one or give the new file another version.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from imh_accounts.jsonsafe import JSONTooDeep, json_loads
from imh_accounts.spreadsheets import spreadsheet_safe, spreadsheet_unquote
from imh_competencies.models import Area, Competency, Crosswalk, Framework

MAX_FILE_BYTES = 5 * 1024 * 1024
FORMATS = ("json", "csv", "moodle")
JSON_FORMAT_NAME = "imh-competency-framework"
JSON_FORMAT_VERSION = 1
DEFAULT_LEVELS = ["Level 1", "Level 2", "Level 3"]
SAMPLE_FRAMEWORK_PATH = Path(__file__).resolve().parent / "data" / "sample-imh-framework.json"

CODE_MAX = 100
NAME_MAX = 255
FRAMEWORK_NAME_MAX = 200
VERSION_MAX = 50

# Our CSV columns, in the order the export writes them ("Level n" columns go before Crosswalks).
CSV_COLUMNS = [
    "Type",
    "Code",
    "Name",
    "Area",
    "Parent",
    "Description",
    "Version",
    "Slug",
    "Publisher",
    "Licence note",
    "Levels",
    "Taxonomies",
    "Sample",
]
CSV_REQUIRED = ["Type", "Code", "Name"]

# Moodle's columns, keyed by a normalised header (lower case, letters and digits only,
# "(optional)" dropped) so every Moodle version's wording matches.
MOODLE_HEADERS = [
    "Parent ID number",
    "ID number",
    "Short name",
    "Description",
    "Description format",
    "Scale values",
    "Scale configuration",
    "Rule type (optional)",
    "Rule outcome (optional)",
    "Rule config (optional)",
    "Cross-referenced competency ID numbers",
    "Exported ID (optional)",
    "Is framework",
    "Taxonomy",
]
MOODLE_KEYS = {
    "parentidnumber": "parent",
    "idnumber": "idnumber",
    "shortname": "shortname",
    "description": "description",
    "descriptionformat": "descriptionformat",
    "scalevalues": "scalevalues",
    "scaleconfiguration": "scaleconfiguration",
    "ruletype": "ruletype",
    "ruleoutcome": "ruleoutcome",
    "ruleconfig": "ruleconfig",
    "crossreferencedcompetencyidnumbers": "related",
    "relatedidnumbers": "related",
    "exportedid": "exportid",
    "exportid": "exportid",
    "isframework": "isframework",
    "taxonomy": "taxonomy",
    "taxonomies": "taxonomy",
}
MOODLE_REQUIRED = {
    "parent": "Parent id number",
    "idnumber": "Id number",
    "shortname": "Shortname",
    "isframework": "Is framework",
}
MOODLE_TAXONOMIES = {
    "behaviour",
    "competency",
    "concept",
    "domain",
    "indicator",
    "level",
    "outcome",
    "practice",
    "proficiency",
    "skill",
    "value",
}
MOODLE_DEFAULT_SCALE = "Not yet competent,Competent"
MOODLE_DEFAULT_SCALE_CONFIG = (
    '[{"scaleid":"0"},{"id":1,"scaledefault":1,"proficient":0},'
    '{"id":2,"scaledefault":0,"proficient":1}]'
)
MOODLE_FORMAT_HTML = "1"
MOODLE_FORMAT_PLAIN = "2"


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
class _Ref:
    """A crosswalk target: a code in this file (framework empty) or in another framework."""

    code: str
    framework: str = ""
    framework_name: str = ""
    framework_version: str = ""
    note: str = ""


@dataclass
class _Area:
    code: str
    name: str
    where: int | str
    description: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class _Competency:
    code: str
    short_name: str
    where: int | str
    area: str = ""
    parent: str = ""
    statement: str = ""
    descriptors: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    crosswalks: list[_Ref] = field(default_factory=list)


@dataclass
class _Parsed:
    fields: dict[str, Any] = field(default_factory=dict)
    areas: list[_Area] = field(default_factory=list)
    competencies: list[_Competency] = field(default_factory=list)
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
# Reading the file
# --------------------------------------------------------------------------------------------


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


def _normalise_header(header: str) -> str:
    header = header.lower().replace("(optional)", "")
    return re.sub(r"[^a-z0-9]", "", header)


def _looks_like_moodle(text: str) -> bool:
    first_line = text.lstrip().split("\n", 1)[0]
    normalised = {_normalise_header(cell) for cell in next(csv.reader([first_line]), [])}
    return "isframework" in normalised and "parentidnumber" in normalised


def detect_format(*, text: str, filename: str) -> str:
    """``json``, ``csv`` or ``moodle`` from the file's extension and first line."""
    suffix = Path(filename or "").suffix.lower()
    stripped = text.lstrip()
    if suffix == ".json" or (suffix not in (".csv", ".txt") and stripped.startswith("{")):
        return "json"
    if suffix in (".csv", ".txt", "") or "," in stripped.split("\n", 1)[0]:
        return "moodle" if _looks_like_moodle(text) else "csv"
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


# --------------------------------------------------------------------------------------------
# HTML descriptions to plain text
# --------------------------------------------------------------------------------------------


class _TextExtractor(HTMLParser):
    PARAGRAPHS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote"}
    LINES = {"br", "tr"}
    SKIP = {"script", "style"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.PARAGRAPHS:
            self.parts.append("\n\n")
        elif tag in self.LINES:
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.PARAGRAPHS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(value: str) -> str:
    """Plain text from an HTML fragment: tags and scripts removed, paragraphs kept as lines."""
    if "<" not in value and "&" not in value:
        return value.strip()
    parser = _TextExtractor()
    parser.feed(value)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# --------------------------------------------------------------------------------------------
# Parsers
# --------------------------------------------------------------------------------------------


def _split_labels(value: str, separator: str = "|") -> list[str]:
    return [label.strip() for label in value.split(separator) if label.strip()]


def _parse_json(text: str) -> _Parsed:
    parsed = _Parsed()
    try:
        data = json_loads(text)
    except JSONTooDeep as error:
        parsed.error(None, None, f"The file is not a framework: its JSON is {error}.")
        return parsed
    except json.JSONDecodeError as error:
        parsed.error(
            None,
            None,
            f"The file is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}).",
        )
        return parsed
    if not isinstance(data, dict) or not isinstance(data.get("framework"), dict):
        parsed.error(
            None,
            None,
            'The JSON has no "framework" object. Export a framework from here to see the format.',
        )
        return parsed
    if data.get("format_version", JSON_FORMAT_VERSION) != JSON_FORMAT_VERSION:
        parsed.error(
            None,
            "format_version",
            f"Format version {data.get('format_version')!r} is not one this site reads "
            f"(it reads version {JSON_FORMAT_VERSION}).",
        )
    source = data["framework"]

    def text_of(item: dict, key: str, where: str) -> str:
        value = item.get(key, "")
        if value is None:
            return ""
        if not isinstance(value, str | int | float):
            parsed.error(where, key, "must be text.")
            return ""
        return str(value).strip()

    def dict_of(item: dict, key: str, where: str) -> dict:
        value = item.get(key) or {}
        if not isinstance(value, dict):
            parsed.error(where, key, "must be an object.")
            return {}
        return value

    def labels_of(item: dict, key: str, where: str) -> list[str] | None:
        value = item.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            parsed.error(where, key, "must be a list of names.")
            return None
        return [v.strip() for v in value]

    where = "Framework"
    parsed.fields = {
        "name": text_of(source, "name", where),
        "version": text_of(source, "version", where),
        "slug": text_of(source, "slug", where),
        "publisher": text_of(source, "publisher", where),
        "licence_note": text_of(source, "licence_note", where),
        "description": text_of(source, "description", where),
        "levels": labels_of(source, "levels", where),
        "taxonomies": labels_of(source, "taxonomies", where) or [],
        "is_sample": bool(source.get("is_sample", False)),
        "source_id": text_of(source, "source_id", where),
        "extra": dict_of(source, "extra", where),
    }
    areas = data.get("areas", [])
    competencies = data.get("competencies", [])
    for key, items in (("areas", areas), ("competencies", competencies)):
        if not isinstance(items, list):
            parsed.error(None, key, "must be a list.")
    if not isinstance(areas, list) or not isinstance(competencies, list):
        return parsed
    for index, item in enumerate(areas, start=1):
        where = f"Area {index}"
        if not isinstance(item, dict):
            parsed.error(where, None, "must be an object.")
            continue
        parsed.areas.append(
            _Area(
                code=text_of(item, "code", where),
                name=text_of(item, "name", where),
                description=text_of(item, "description", where),
                extra=dict_of(item, "extra", where),
                where=where,
            )
        )
    for index, item in enumerate(competencies, start=1):
        where = f"Competency {index}"
        if not isinstance(item, dict):
            parsed.error(where, None, "must be an object.")
            continue
        descriptors = dict_of(item, "descriptors", where)
        refs = []
        crosswalks = item.get("crosswalks") or []
        if not isinstance(crosswalks, list):
            parsed.error(where, "crosswalks", "must be a list.")
            crosswalks = []
        for link in crosswalks:
            if isinstance(link, str):
                refs.append(_Ref(code=link.strip()))
            elif isinstance(link, dict) and str(link.get("code") or "").strip():
                refs.append(
                    _Ref(
                        code=str(link["code"]).strip(),
                        framework=str(link.get("framework") or "").strip(),
                        framework_name=str(link.get("framework_name") or "").strip(),
                        framework_version=str(link.get("framework_version") or "").strip(),
                        note=str(link.get("note") or "").strip(),
                    )
                )
            else:
                parsed.error(where, "crosswalks", 'each link needs a "code".')
        parsed.competencies.append(
            _Competency(
                code=text_of(item, "code", where),
                short_name=text_of(item, "short_name", where),
                area=text_of(item, "area", where),
                parent=text_of(item, "parent", where),
                statement=text_of(item, "statement", where),
                descriptors={str(k).strip(): v for k, v in descriptors.items()},
                extra=dict_of(item, "extra", where),
                crosswalks=refs,
                where=where,
            )
        )
    parsed.columns = {
        "code": "code",
        "name": "name",
        "short_name": "short_name",
        "area": "area",
        "parent": "parent",
        "descriptors": "descriptors",
        "crosswalks": "crosswalks",
    }
    return parsed


def _csv_rows(text: str, parsed: _Parsed) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
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


def _parse_extra(value: str, parsed: _Parsed, number: int, column: str) -> dict:
    if not value.strip():
        return {}
    try:
        extra = json_loads(value)
    except JSONTooDeep as error:
        parsed.error(number, column, f"is JSON {error}.")
        return {}
    except json.JSONDecodeError:
        parsed.error(number, column, "is not valid JSON.")
        return {}
    if not isinstance(extra, dict):
        parsed.error(number, column, "must be a JSON object.")
        return {}
    return extra


def _parse_refs(value: str) -> list[_Ref]:
    refs = []
    for entry in value.split(";"):
        entry = entry.strip()
        if not entry:
            continue
        framework, separator, code = entry.partition(":")
        if separator and re.fullmatch(r"[-a-zA-Z0-9_]+", framework.strip()):
            refs.append(_Ref(code=code.strip(), framework=framework.strip()))
        else:
            refs.append(_Ref(code=entry))
    return refs


def _parse_csv(text: str) -> _Parsed:
    parsed = _Parsed()
    header, records = _csv_rows(text, parsed)
    if not header:
        return parsed
    by_lower = {h.lower(): h for h in header if h}
    missing = [name for name in CSV_REQUIRED if name.lower() not in by_lower]
    if missing:
        names = ", ".join(f'"{name}"' for name in missing)
        hint = ""
        if len(header) == 1 and ";" in header[0]:
            hint = (
                " The columns seem to be separated by semicolons: save the file as CSV UTF-8 "
                "(comma separated)."
            )
        parsed.error(
            1,
            None,
            f"The file has no {names} column{'s' if len(missing) > 1 else ''}. "
            f"Required columns: {', '.join(CSV_REQUIRED)}.{hint}",
        )
        return parsed
    level_columns: dict[int, str] = {}
    for h in header:
        match = re.fullmatch(r"level\s*(\d+)", h.strip().lower())
        if match:
            level_columns[int(match.group(1))] = h

    def get(record: dict[str, str], name: str) -> str:
        actual = by_lower.get(name.lower())
        return (record.get(actual) or "").strip() if actual else ""

    parsed.columns = {
        "code": by_lower["code"],
        "name": by_lower["name"],
        "short_name": by_lower["name"],
        "area": by_lower.get("area", "Area"),
        "parent": by_lower.get("parent", "Parent"),
        "crosswalks": by_lower.get("crosswalks", "Crosswalks"),
        "type": by_lower["type"],
    }
    framework_rows = 0
    for number, record in records:
        kind = get(record, "Type").lower()
        extra = _parse_extra(get(record, "Extra"), parsed, number, by_lower.get("extra", "Extra"))
        if kind == "framework":
            framework_rows += 1
            if framework_rows > 1:
                parsed.error(number, by_lower["type"], "only one row may describe the framework.")
                continue
            if parsed.areas or parsed.competencies:
                parsed.error(number, by_lower["type"], "the framework row must come first.")
            levels = get(record, "Levels")
            parsed.fields = {
                "name": get(record, "Name"),
                "version": get(record, "Version"),
                "slug": get(record, "Slug"),
                "publisher": get(record, "Publisher"),
                "licence_note": get(record, "Licence note"),
                "description": get(record, "Description"),
                "levels": _split_labels(levels) if levels else None,
                "taxonomies": _split_labels(get(record, "Taxonomies")),
                "is_sample": get(record, "Sample").lower() in ("yes", "y", "true", "1"),
                "source_id": get(record, "Code"),
                "extra": extra,
                "where": number,
            }
        elif kind == "area":
            parsed.areas.append(
                _Area(
                    code=get(record, "Code"),
                    name=get(record, "Name"),
                    description=get(record, "Description"),
                    extra=extra,
                    where=number,
                )
            )
        elif kind == "competency":
            descriptors = {
                str(level): (record.get(column) or "").strip()
                for level, column in level_columns.items()
                if (record.get(column) or "").strip()
            }
            parsed.competencies.append(
                _Competency(
                    code=get(record, "Code"),
                    short_name=get(record, "Name"),
                    area=get(record, "Area"),
                    parent=get(record, "Parent"),
                    statement=get(record, "Description"),
                    descriptors=descriptors,
                    extra=extra,
                    crosswalks=_parse_refs(get(record, "Crosswalks")),
                    where=number,
                )
            )
        else:
            parsed.error(
                number,
                by_lower["type"],
                f'"{get(record, "Type")}" is not a row type: use framework, area or competency.',
            )
    if records and not framework_rows:
        parsed.error(
            2,
            by_lower["type"],
            'the first row must describe the framework (Type "framework", with its name).',
        )
    parsed.columns["descriptors"] = "Level"
    return parsed


def _parse_moodle(text: str) -> _Parsed:
    parsed = _Parsed(symmetric_links=True)
    header, records = _csv_rows(text, parsed)
    if not header:
        return parsed
    columns: dict[str, str] = {}
    for h in header:
        key = MOODLE_KEYS.get(_normalise_header(h))
        if key and key not in columns:
            columns[key] = h
    missing = [label for key, label in MOODLE_REQUIRED.items() if key not in columns]
    if missing:
        names = ", ".join(f'"{name}"' for name in missing)
        parsed.error(
            1, None, f"The Moodle file has no {names} column{'s' if len(missing) > 1 else ''}."
        )
        return parsed

    def get(record: dict[str, str], key: str) -> str:
        return (record.get(columns[key]) or "").strip() if key in columns else ""

    def moodle_extra(record: dict[str, str], description: str) -> dict:
        extra = {
            "description_html": description,
            "description_format": get(record, "descriptionformat"),
            "scale_values": get(record, "scalevalues"),
            "scale_configuration": get(record, "scaleconfiguration"),
        }
        for key in ("ruletype", "ruleoutcome", "ruleconfig", "exportid"):
            extra[key] = get(record, key)
        return {key: value for key, value in extra.items() if value}

    parsed.columns = {
        "code": columns["idnumber"],
        "name": columns["shortname"],
        "short_name": columns["shortname"],
        "area": columns["parent"],
        "parent": columns["parent"],
        "crosswalks": columns.get("related", "Cross referenced competency id numbers"),
        "type": columns["isframework"],
    }
    rows: list[tuple[int, dict[str, str]]] = []
    framework_row = None
    for number, record in records:
        if get(record, "isframework").lower() in ("1", "true", "yes"):
            if framework_row is not None:
                parsed.error(
                    number,
                    columns["isframework"],
                    f"only one row may be the framework (row {framework_row} already is).",
                )
                continue
            framework_row = number
            description = record.get(columns.get("description", ""), "") or ""
            moodle = moodle_extra(record, description)
            moodle.pop("ruleconfig", None)
            parsed.fields = {
                "name": get(record, "shortname"),
                "version": "",
                "slug": "",
                "publisher": "",
                "licence_note": "",
                "description": html_to_text(description),
                "levels": None,
                "taxonomies": [t.strip() for t in get(record, "taxonomy").split(",") if t.strip()],
                "is_sample": False,
                "source_id": get(record, "idnumber"),
                "extra": {"moodle": moodle},
                "where": number,
            }
        else:
            rows.append((number, record))
    if framework_row is None:
        parsed.error(
            2,
            columns["isframework"],
            'no row describes the framework ("Is framework" set to 1). Export the framework '
            "from Moodle again, whole.",
        )
    parents = {get(record, "idnumber"): get(record, "parent") for _, record in rows}
    top_level = {code for code, parent in parents.items() if not parent}
    for number, record in rows:
        code = get(record, "idnumber")
        parent = get(record, "parent")
        description = record.get(columns.get("description", ""), "") or ""
        extra = {"moodle": moodle_extra(record, description)}
        related = get(record, "related")
        if not parent:
            if related:
                extra["moodle"]["related"] = related
            parsed.areas.append(
                _Area(
                    code=code,
                    name=get(record, "shortname"),
                    description=html_to_text(description),
                    extra=extra,
                    where=number,
                )
            )
            continue
        refs = [
            _Ref(code=raw.strip().replace("%2C", ",")) for raw in related.split(",") if raw.strip()
        ]
        # Links to areas cannot be crosswalks (those join competencies): keep them for Moodle.
        area_refs = [ref.code for ref in refs if ref.code in top_level]
        if area_refs:
            extra["moodle"]["related_areas"] = area_refs
        in_area = parent in top_level
        parsed.competencies.append(
            _Competency(
                code=code,
                short_name=get(record, "shortname"),
                # Second level: directly in the area; deeper: nested below the parent.
                area=parent if in_area else "",
                parent="" if in_area else parent,
                statement=html_to_text(description),
                extra=extra,
                crosswalks=[ref for ref in refs if ref.code not in top_level],
                where=number,
            )
        )
    parsed.columns["descriptors"] = "Description"
    return parsed


# --------------------------------------------------------------------------------------------
# Validation against the file itself and the database
# --------------------------------------------------------------------------------------------


def _framework_lookup(ref: _Ref) -> Framework | None:
    if ref.framework:
        found = Framework.objects.filter(slug=ref.framework).first()
        if found:
            return found
    name = ref.framework_name or ref.framework
    if name:
        return Framework.objects.filter(name=name, version=ref.framework_version).first()
    return None


def _validate(parsed: _Parsed, fmt: str) -> None:
    fields = parsed.fields
    fw_where = fields.pop("where", "Framework") if fields else None
    if fields:
        if not fields["name"]:
            parsed.error(fw_where, parsed.column("name"), "the framework needs a name.")
        elif len(fields["name"]) > FRAMEWORK_NAME_MAX:
            parsed.error(
                fw_where,
                parsed.column("name"),
                f"the framework name is longer than {FRAMEWORK_NAME_MAX} characters.",
            )
        if len(fields["version"]) > VERSION_MAX:
            parsed.error(
                fw_where, "Version", f"the version is longer than {VERSION_MAX} characters."
            )
        levels = fields["levels"]
        if levels is None:
            fields["levels"] = list(DEFAULT_LEVELS)
        elif not levels or not all(levels):
            parsed.error(fw_where, "Levels", "give at least one level, each with a name.")
            fields["levels"] = list(DEFAULT_LEVELS)
        elif len(set(levels)) != len(levels):
            parsed.error(fw_where, "Levels", "each level needs a different name.")
        if (
            fields["name"]
            and Framework.objects.filter(name=fields["name"], version=fields["version"]).exists()
        ):
            version = f' version "{fields["version"]}"' if fields["version"] else ""
            parsed.error(
                fw_where,
                None,
                f'a framework called "{fields["name"]}"{version} is already here. Delete it '
                "first, or give the file a different name or version.",
            )
    level_count = len(fields.get("levels") or DEFAULT_LEVELS)

    code_column = parsed.column("code")
    name_column = parsed.column("name")
    area_codes: dict[str, int | str] = {}
    for area in parsed.areas:
        if not area.code:
            parsed.error(area.where, code_column, "give the area a code.")
        elif len(area.code) > CODE_MAX:
            parsed.error(area.where, code_column, f"the code is longer than {CODE_MAX} characters.")
        elif area.code in area_codes:
            parsed.error(
                area.where,
                code_column,
                f'Code "{area.code}" is already used on {_where_text(area_codes[area.code])}.',
            )
        else:
            area_codes[area.code] = area.where
        if not area.name:
            parsed.error(area.where, name_column, "give the area a name.")
        elif len(area.name) > NAME_MAX:
            parsed.error(area.where, name_column, f"the name is longer than {NAME_MAX} characters.")

    codes: dict[str, _Competency] = {}
    for item in parsed.competencies:
        if not item.code:
            parsed.error(item.where, code_column, "give the competency a code.")
        elif len(item.code) > CODE_MAX:
            parsed.error(item.where, code_column, f"the code is longer than {CODE_MAX} characters.")
        elif item.code in codes or (fmt == "moodle" and item.code in area_codes):
            first = codes[item.code].where if item.code in codes else area_codes[item.code]
            parsed.error(
                item.where,
                code_column,
                f'Code "{item.code}" is already used on {_where_text(first)}.',
            )
        else:
            codes[item.code] = item
        if not item.short_name:
            parsed.error(item.where, name_column, "give the competency a name.")
        elif len(item.short_name) > NAME_MAX:
            parsed.error(item.where, name_column, f"the name is longer than {NAME_MAX} characters.")
        for key, text in item.descriptors.items():
            if not re.fullmatch(r"\d+", key) or not 1 <= int(key) <= level_count:
                column = f"Level {key}" if fmt == "csv" else parsed.column("descriptors")
                parsed.error(
                    item.where,
                    column,
                    f'there is no level "{key}": the framework has {level_count} levels '
                    f"(1 to {level_count}).",
                )
            elif not isinstance(text, str):
                parsed.error(item.where, f"Level {key}", "the descriptor must be text.")

    parent_column = parsed.column("parent")
    area_column = parsed.column("area")
    for item in parsed.competencies:
        if item.parent:
            if item.parent not in codes:
                if fmt == "moodle":
                    message = f'"{item.parent}" does not match any Id number in the file.'
                else:
                    message = f'"{item.parent}" does not match any competency code in the file.'
                parsed.error(item.where, parent_column, message)
            elif item.parent == item.code:
                parsed.error(item.where, parent_column, "a competency cannot be its own parent.")
        elif not item.area and fmt != "moodle":
            parsed.error(item.where, area_column, "give the code of the competency's area.")
        if item.area and item.area not in area_codes:
            parsed.error(
                item.where, area_column, f'"{item.area}" does not match any area code in the file.'
            )

    # Cycles in parent links: walk up from each competency.
    reported: set[str] = set()
    for item in parsed.competencies:
        chain = [item.code]
        current = item
        while current.parent and current.parent in codes and current.parent != current.code:
            if current.parent in chain:
                cycle = [*chain[chain.index(current.parent) :], current.parent]
                if not reported.intersection(cycle):
                    parsed.error(
                        item.where,
                        parent_column,
                        "the parent links go round in a circle (" + " → ".join(cycle) + ").",
                    )
                reported.update(cycle)
                break
            chain.append(current.parent)
            current = codes[current.parent]

    # Each nested competency is in its top ancestor's area.
    if not parsed.errors:
        for item in parsed.competencies:
            top = item
            while top.parent:
                top = codes[top.parent]
            if item.parent and item.area and item.area != top.area:
                parsed.error(
                    item.where,
                    area_column,
                    f'"{item.area}" is not the area of its parent ("{top.area}").',
                )
            item.area = top.area

    crosswalk_column = parsed.column("crosswalks")
    own_slug = fields.get("slug", "") if fields else ""
    for item in parsed.competencies:
        for ref in item.crosswalks:
            if ref.framework and ref.framework == own_slug and ref.code in codes:
                ref.framework = ""
            if not ref.framework:
                if ref.code in codes:
                    if ref.code == item.code:
                        parsed.error(
                            item.where, crosswalk_column, "a competency cannot link to itself."
                        )
                    continue
                if fmt != "moodle":
                    parsed.error(
                        item.where,
                        crosswalk_column,
                        f'"{ref.code}" does not match any competency code in the file.',
                    )
                    continue
                # Moodle: an id number not in the file may be in a framework already here.
                matches = list(
                    Competency.objects.filter(code=ref.code).select_related("framework")[:2]
                )
                if len(matches) > 1:
                    parsed.error(
                        item.where,
                        crosswalk_column,
                        f'"{ref.code}" is in more than one framework here, so it is not clear '
                        "which one is meant.",
                    )
                elif matches:
                    ref.framework = matches[0].framework.slug
                continue
            target = _framework_lookup(ref)
            if target and not Competency.objects.filter(framework=target, code=ref.code).exists():
                parsed.error(
                    item.where,
                    crosswalk_column,
                    f'the framework "{target}" has no competency "{ref.code}".',
                )


def _file_order(error: RowError) -> tuple[int, int]:
    # Whole-file problems first, then CSV rows by number; JSON items keep the order found.
    if error.row is None:
        return (0, 0)
    return (1, error.row) if isinstance(error.row, int) else (2, 0)


def _where_text(where: int | str) -> str:
    return f"row {where}" if isinstance(where, int) else str(where).lower()


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _unique_slug(preferred: str, name: str, version: str) -> str:
    base = slugify(preferred) or slugify(f"{name} {version}") or "framework"
    base = base[:110]
    slug, number = base, 2
    while Framework.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _ref_key(ref: _Ref) -> dict:
    return {
        key: value
        for key, value in {
            "framework": ref.framework,
            "framework_name": ref.framework_name,
            "framework_version": ref.framework_version,
            "code": ref.code,
            "note": ref.note,
        }.items()
        if value
    }


def _write(parsed: _Parsed, fmt: str) -> ImportResult:
    fields = dict(parsed.fields)
    fields["slug"] = _unique_slug(fields["slug"], fields["name"], fields["version"])
    framework = Framework(**fields)
    framework.full_clean()
    framework.save()
    result = ImportResult(framework=framework, format=fmt)

    areas = {}
    for position, item in enumerate(parsed.areas):
        area = Area(
            framework=framework,
            code=item.code,
            name=item.name,
            description=item.description,
            sort_order=position,
            extra=item.extra,
        )
        area.full_clean(validate_unique=False, validate_constraints=False)
        areas[item.code] = area
    Area.objects.bulk_create(areas.values())
    result.areas_created = len(areas)

    # Parents before children: write depth by depth so every parent has its id.
    by_code = {item.code: item for item in parsed.competencies}
    depth: dict[str, int] = {}

    def depth_of(code: str) -> int:
        if code not in depth:
            parent = by_code[code].parent
            depth[code] = 0 if not parent else depth_of(parent) + 1
        return depth[code]

    saved: dict[str, Competency] = {}
    order = {item.code: position for position, item in enumerate(parsed.competencies)}
    for current in sorted({depth_of(code) for code in by_code}):
        batch = []
        for item in parsed.competencies:
            if depth_of(item.code) != current:
                continue
            competency = Competency(
                framework=framework,
                area=areas[item.area],
                parent=saved.get(item.parent) if item.parent else None,
                code=item.code,
                short_name=item.short_name,
                statement=item.statement,
                descriptors=dict(sorted(item.descriptors.items(), key=lambda kv: int(kv[0]))),
                sort_order=order[item.code],
                extra=item.extra,
            )
            competency.full_clean(validate_unique=False, validate_constraints=False)
            batch.append(competency)
        for competency in Competency.objects.bulk_create(batch):
            saved[competency.code] = competency
    result.competencies_created = len(saved)

    links: list[Crosswalk] = []
    pairs: set[tuple[int, int]] = set()
    pending_rows: list[Competency] = []
    for item in parsed.competencies:
        competency = saved[item.code]
        pending = []
        for ref in item.crosswalks:
            if not ref.framework:
                related = saved.get(ref.code)
            else:
                target = _framework_lookup(ref)
                related = (
                    Competency.objects.filter(framework=target, code=ref.code).first()
                    if target
                    else None
                )
                if target is None:
                    pending.append(_ref_key(ref))
                    label = f"{ref.framework_name} {ref.framework_version}".strip() or ref.framework
                    result.warnings.append(
                        f'{_where_text(item.where).capitalize()}: "{item.code}" links to '
                        f'"{ref.code}" in "{label}", which is not here yet. The link will be '
                        "made when that framework is imported."
                    )
                    continue
            if related is None:
                # Moodle id numbers that match nothing: Moodle itself ignores them. Say so, and
                # keep them so a Moodle export gives them back.
                result.warnings.append(
                    f'{_where_text(item.where).capitalize()}: the cross-reference "{ref.code}" '
                    "matches no competency here, so no crosswalk was made for it."
                )
                moodle = competency.extra.setdefault("moodle", {})
                moodle.setdefault("unmatched_related", []).append(ref.code)
                if competency not in pending_rows:
                    pending_rows.append(competency)
                continue
            pair = (competency.pk, related.pk)
            key = tuple(sorted(pair)) if parsed.symmetric_links else pair
            if key in pairs or related.pk == competency.pk:
                continue
            pairs.add(key)
            links.append(Crosswalk(competency=competency, related=related, note=ref.note[:255]))
        if pending:
            competency.extra = {**competency.extra, "pending_crosswalks": pending}
            if competency not in pending_rows:
                pending_rows.append(competency)
            result.pending_crosswalks += len(pending)
    Crosswalk.objects.bulk_create(links)
    if pending_rows:
        Competency.objects.bulk_update(pending_rows, ["extra"])
    result.crosswalks_created = len(links) + _resolve_pending(framework)
    return result


def _resolve_pending(framework: Framework) -> int:
    """Make the links other frameworks were waiting to make to ``framework``."""
    made = 0
    names = {framework.slug, framework.name}
    waiting = Competency.objects.exclude(framework=framework).filter(
        extra__has_key="pending_crosswalks"
    )
    for competency in waiting:
        still_pending = []
        for ref in competency.extra.get("pending_crosswalks") or []:
            matches = ref.get("framework") == framework.slug or (
                (ref.get("framework_name") or ref.get("framework")) in names
                and ref.get("framework_version", "") == framework.version
            )
            related = (
                Competency.objects.filter(framework=framework, code=ref.get("code")).first()
                if matches
                else None
            )
            if related is None:
                still_pending.append(ref)
                continue
            _, created = Crosswalk.objects.get_or_create(
                competency=competency, related=related, defaults={"note": ref.get("note", "")}
            )
            made += int(created)
        extra = {k: v for k, v in competency.extra.items() if k != "pending_crosswalks"}
        if still_pending:
            extra["pending_crosswalks"] = still_pending
        competency.extra = extra
        competency.save(update_fields=["extra"])
    return made


# --------------------------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------------------------


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
    if fmt == "csv" and _looks_like_moodle(text):
        fmt = "moodle"
    parser = {"json": _parse_json, "csv": _parse_csv, "moodle": _parse_moodle}[fmt]
    parsed = parser(text)
    if parsed.fields:
        _validate(parsed, fmt)
    if parsed.errors:
        raise FrameworkImportError(sorted(parsed.errors, key=_file_order))
    if imported_by is not None and getattr(imported_by, "pk", None):
        parsed.fields["extra"] = {
            **parsed.fields.get("extra", {}),
            "imported_by": imported_by.pk,
            "imported_from": Path(filename).name[:200],
        }
    with transaction.atomic():
        try:
            return _write(parsed, fmt)
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


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------


def _ordered(framework: Framework) -> tuple[list[Area], list[Competency]]:
    areas = list(Area.objects.filter(framework=framework).order_by("sort_order", "code"))
    area_order = {area.pk: index for index, area in enumerate(areas)}
    competencies = list(
        Competency.objects.filter(framework=framework)
        .select_related("area", "parent")
        .prefetch_related("crosswalk_links__related__framework")
    )
    by_parent: dict[int | None, list[Competency]] = {}
    for competency in competencies:
        by_parent.setdefault(competency.parent_id, []).append(competency)
    for children in by_parent.values():
        children.sort(key=lambda c: (area_order.get(c.area_id, 0), c.sort_order, c.code))
    # Depth first, so a parent always comes before its children (and reads as a tree).
    ordered: list[Competency] = []

    def visit(competency: Competency) -> None:
        ordered.append(competency)
        for child in by_parent.get(competency.pk, []):
            visit(child)

    for competency in by_parent.get(None, []):
        visit(competency)
    return areas, ordered


# Kept by this site only: never exported.
PRIVATE_EXTRA_KEYS = {"pending_crosswalks", "imported_by", "imported_from"}


def _public_extra(extra: dict) -> dict:
    return {key: value for key, value in (extra or {}).items() if key not in PRIVATE_EXTRA_KEYS}


def _links(competency: Competency) -> list[dict]:
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


def _export_json(framework: Framework) -> bytes:
    areas, competencies = _ordered(framework)
    data = {
        "format": JSON_FORMAT_NAME,
        "format_version": JSON_FORMAT_VERSION,
        "framework": {
            "name": framework.name,
            "version": framework.version,
            "slug": framework.slug,
            "publisher": framework.publisher,
            "licence_note": framework.licence_note,
            "description": framework.description,
            "levels": framework.levels,
            "taxonomies": framework.taxonomies,
            "is_sample": framework.is_sample,
            "source_id": framework.source_id,
            "extra": _public_extra(framework.extra),
        },
        "areas": [
            {
                "code": area.code,
                "name": area.name,
                "description": area.description,
                "extra": area.extra,
            }
            for area in areas
        ],
        "competencies": [
            {
                "code": c.code,
                "area": c.area.code,
                "parent": c.parent.code if c.parent else "",
                "short_name": c.short_name,
                "statement": c.statement,
                "descriptors": c.descriptors,
                "crosswalks": _links(c),
                "extra": _public_extra(c.extra),
            }
            for c in competencies
        ],
    }
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _csv_bytes(rows: Iterable[list[str]], *, bom: bool) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode("utf-8") + buffer.getvalue().encode("utf-8")


def _extra_cell(extra: dict) -> str:
    extra = _public_extra(extra)
    return json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else ""


def _export_csv(framework: Framework) -> bytes:
    areas, competencies = _ordered(framework)
    level_columns = [f"Level {n}" for n in range(1, len(framework.levels) + 1)]
    header = [*CSV_COLUMNS, *level_columns, "Crosswalks", "Extra"]
    blank = dict.fromkeys(header, "")
    rows = [header]

    def row(**values: str) -> list[str]:
        return list({**blank, **values}.values())

    rows.append(
        row(
            Type="framework",
            Code=framework.source_id,
            Name=framework.name,
            Description=framework.description,
            Version=framework.version,
            Slug=framework.slug,
            Publisher=framework.publisher,
            **{"Licence note": framework.licence_note},
            Levels="|".join(framework.levels),
            Taxonomies="|".join(framework.taxonomies),
            Sample="yes" if framework.is_sample else "no",
            Extra=_extra_cell(framework.extra),
        )
    )
    for area in areas:
        rows.append(
            row(
                Type="area",
                Code=area.code,
                Name=area.name,
                Description=area.description,
                Extra=_extra_cell(area.extra),
            )
        )
    for competency in competencies:
        refs = []
        for link in _links(competency):
            slug = link.get("framework") or ""
            refs.append(f"{slug}:{link['code']}" if slug else link["code"])
        rows.append(
            row(
                Type="competency",
                Code=competency.code,
                Name=competency.short_name,
                Area=competency.area.code,
                Parent=competency.parent.code if competency.parent else "",
                Description=competency.statement,
                Crosswalks="; ".join(refs),
                Extra=_extra_cell(competency.extra),
                **{
                    f"Level {n}": competency.descriptors.get(str(n), "")
                    for n in range(1, len(framework.levels) + 1)
                },
            )
        )
    # This file is for people to edit in a spreadsheet, so text that looks like a formula is
    # quoted; importing it again removes the quote.
    return _csv_bytes([[spreadsheet_safe(cell) for cell in r] for r in rows], bom=True)


def _moodle_description(text: str, extra: dict) -> tuple[str, str]:
    moodle = extra.get("moodle") or {}
    html = moodle.get("description_html")
    if html is not None and html_to_text(html) == text:
        return html, moodle.get("description_format") or MOODLE_FORMAT_HTML
    return text, MOODLE_FORMAT_PLAIN


def _moodle_taxonomies(framework: Framework) -> str:
    labels = []
    for label in framework.taxonomies or ["domain", "competency"]:
        label = label.strip().lower()
        labels.append(
            label if label in MOODLE_TAXONOMIES else ("domain" if label == "area" else "competency")
        )
    return ",".join(labels)


def _export_moodle(framework: Framework) -> bytes:
    areas, competencies = _ordered(framework)
    fw_moodle = framework.extra.get("moodle") or {}
    scale = fw_moodle.get("scale_values") or MOODLE_DEFAULT_SCALE
    scale_config = fw_moodle.get("scale_configuration") or MOODLE_DEFAULT_SCALE_CONFIG
    description, description_format = _moodle_description(framework.description, framework.extra)
    rows = [
        MOODLE_HEADERS,
        [
            "",
            framework.source_id or framework.slug,
            framework.name,
            description,
            description_format,
            scale,
            scale_config,
            "",
            "",
            "",
            "",
            "",
            "1",
            _moodle_taxonomies(framework),
        ],
    ]
    # Moodle's related competencies go both ways and stay inside the framework.
    related: dict[int, list[str]] = {}
    for link in Crosswalk.objects.filter(
        competency__framework=framework, related__framework=framework
    ).select_related("competency", "related"):
        related.setdefault(link.competency_id, []).append(link.related.code)
        related.setdefault(link.related_id, []).append(link.competency.code)

    def moodle_row(parent: str, item: Area | Competency, name: str, text: str) -> list[str]:
        moodle = item.extra.get("moodle") or {}
        description, description_format = _moodle_description(text, item.extra)
        if isinstance(item, Competency):
            codes = [
                *related.get(item.pk, []),
                *(moodle.get("related_areas") or []),
                *(moodle.get("unmatched_related") or []),
            ]
            links = ",".join(dict.fromkeys(code.replace(",", "%2C") for code in codes))
        else:
            links = moodle.get("related", "")
        return [
            parent,
            item.code,
            name,
            description,
            description_format,
            moodle.get("scale_values", ""),
            moodle.get("scale_configuration", ""),
            moodle.get("ruletype", ""),
            moodle.get("ruleoutcome", ""),
            moodle.get("ruleconfig", "null"),
            links,
            moodle.get("exportid", ""),
            "",
            "",
        ]

    for area in areas:
        rows.append(moodle_row("", area, area.name, area.description))
    for competency in competencies:
        parent = competency.parent.code if competency.parent else competency.area.code
        rows.append(moodle_row(parent, competency, competency.short_name, competency.statement))
    return _csv_bytes(rows, bom=False)


def framework_export(*, framework: Framework, format: str) -> bytes:
    """The framework as a file: ``json``, ``csv`` (ours) or ``moodle`` (Moodle's CSV)."""
    exporters = {"json": _export_json, "csv": _export_csv, "moodle": _export_moodle}
    if format not in exporters:
        raise ValueError(f"Unknown export format {format!r}: use {', '.join(FORMATS)}.")
    return exporters[format](framework)


def export_filename(*, framework: Framework, format: str) -> str:
    suffix = {"json": ".json", "csv": ".csv", "moodle": "-moodle.csv"}[format]
    return f"{framework.slug}{suffix}"


def export_content_type(format: str) -> str:
    return "application/json" if format == "json" else "text/csv; charset=utf-8"


# --------------------------------------------------------------------------------------------
# Reads for the admin
# --------------------------------------------------------------------------------------------


@dataclass
class CompetencyNode:
    competency: Competency
    depth: int
    descriptors: list[str] = field(default_factory=list)
    links: list[Crosswalk] = field(default_factory=list)
    backlinks: list[Crosswalk] = field(default_factory=list)

    @property
    def marker(self) -> str:
        return "↳" * self.depth


@dataclass
class AreaNode:
    area: Area
    competencies: list[CompetencyNode] = field(default_factory=list)


def framework_tree(*, framework: Framework) -> list[AreaNode]:
    """Areas in order, each with its competencies depth first (parents before children) and
    their crosswalks either way, in a fixed number of queries."""
    areas, competencies = _ordered(framework)
    nodes = {area.pk: AreaNode(area=area) for area in areas}
    links: dict[int, list[Crosswalk]] = {}
    backlinks: dict[int, list[Crosswalk]] = {}
    for link in Crosswalk.objects.filter(
        Q(competency__framework=framework) | Q(related__framework=framework)
    ).select_related("competency__framework", "related__framework"):
        links.setdefault(link.competency_id, []).append(link)
        backlinks.setdefault(link.related_id, []).append(link)
    depth: dict[int, int] = {}
    for competency in competencies:
        # A link both ways shows once.
        linked = {link.related_id for link in links.get(competency.pk, [])}
        backlinks[competency.pk] = [
            link for link in backlinks.get(competency.pk, []) if link.competency_id not in linked
        ]
        depth[competency.pk] = depth.get(competency.parent_id, -1) + 1
        nodes[competency.area_id].competencies.append(
            CompetencyNode(
                competency=competency,
                depth=depth[competency.pk],
                descriptors=[
                    competency.descriptor(number) for number in range(1, len(framework.levels) + 1)
                ],
                links=links.get(competency.pk, []),
                backlinks=backlinks.get(competency.pk, []),
            )
        )
    return list(nodes.values())


def framework_pending_crosswalk_count(*, framework: Framework) -> int:
    return sum(
        len(extra.get("pending_crosswalks") or [])
        for extra in Competency.objects.filter(
            framework=framework, extra__has_key="pending_crosswalks"
        ).values_list("extra", flat=True)
    )
