"""Checks of a parsed framework against itself and the frameworks already here."""

from __future__ import annotations

import re

from imh_competencies.frameworks_io.common import Parsed, ParsedCompetency, Ref, RowError
from imh_competencies.models import Competency, Framework

DEFAULT_LEVELS = ["Level 1", "Level 2", "Level 3"]

CODE_MAX = 100
NAME_MAX = 255
FRAMEWORK_NAME_MAX = 200
VERSION_MAX = 50


def framework_lookup(ref: Ref) -> Framework | None:
    """The framework a crosswalk names, by slug or by name and version, if it is here."""
    if ref.framework:
        found = Framework.objects.filter(slug=ref.framework).first()
        if found:
            return found
    name = ref.framework_name or ref.framework
    if name:
        return Framework.objects.filter(name=name, version=ref.framework_version).first()
    return None


def validate(parsed: Parsed, fmt: str) -> None:
    """Check a parsed framework whole, adding every problem to ``parsed.errors``."""
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
                f'Code "{area.code}" is already used on {where_text(area_codes[area.code])}.',
            )
        else:
            area_codes[area.code] = area.where
        if not area.name:
            parsed.error(area.where, name_column, "give the area a name.")
        elif len(area.name) > NAME_MAX:
            parsed.error(area.where, name_column, f"the name is longer than {NAME_MAX} characters.")

    codes: dict[str, ParsedCompetency] = {}
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
                f'Code "{item.code}" is already used on {where_text(first)}.',
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
            target = framework_lookup(ref)
            if target and not Competency.objects.filter(framework=target, code=ref.code).exists():
                parsed.error(
                    item.where,
                    crosswalk_column,
                    f'the framework "{target}" has no competency "{ref.code}".',
                )


def file_order(error: RowError) -> tuple[int, int]:
    """Sort key putting problems in the order a person reads the file."""
    # Whole-file problems first, then CSV rows by number; JSON items keep the order found.
    if error.row is None:
        return (0, 0)
    return (1, error.row) if isinstance(error.row, int) else (2, 0)


def where_text(where: int | str) -> str:
    """A row or item as it reads inside a sentence ("row 4", "competency 2")."""
    return f"row {where}" if isinstance(where, int) else str(where).lower()
