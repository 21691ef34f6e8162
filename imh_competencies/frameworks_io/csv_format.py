"""Our own CSV framework format: one row per framework, area or competency, for spreadsheets.

UTF-8, comma separated:

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
"""

from __future__ import annotations

import json
import re

from imh_competencies.frameworks_io.common import (
    Parsed,
    ParsedArea,
    ParsedCompetency,
    Ref,
    csv_bytes,
    csv_rows,
    link_entries,
    public_extra,
)
from imh_competencies.frameworks_io.tree import ordered
from imh_competencies.models import Framework
from imh_core.jsonsafe import JSONTooDeep, json_loads
from imh_core.spreadsheets import spreadsheet_safe

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


# --------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------


def _split_labels(value: str, separator: str = "|") -> list[str]:
    return [label.strip() for label in value.split(separator) if label.strip()]


def _parse_extra(value: str, parsed: Parsed, number: int, column: str) -> dict:
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


def _parse_refs(value: str) -> list[Ref]:
    refs = []
    for entry in value.split(";"):
        entry = entry.strip()
        if not entry:
            continue
        framework, separator, code = entry.partition(":")
        if separator and re.fullmatch(r"[-a-zA-Z0-9_]+", framework.strip()):
            refs.append(Ref(code=code.strip(), framework=framework.strip()))
        else:
            refs.append(Ref(code=entry))
    return refs


def parse(text: str) -> Parsed:
    """Our CSV read into a ``Parsed`` framework; problems are collected, not raised."""
    parsed = Parsed()
    header, records = csv_rows(text, parsed)
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
                ParsedArea(
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
                ParsedCompetency(
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


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------


def _extra_cell(extra: dict) -> str:
    extra = public_extra(extra)
    return json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else ""


def export(framework: Framework) -> bytes:
    """The framework as our CSV, quoted for spreadsheets."""
    areas, competencies = ordered(framework)
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
        for link in link_entries(competency):
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
    return csv_bytes([[spreadsheet_safe(cell) for cell in r] for r in rows], bom=True)
