"""Moodle's competency framework CSV, as "Export competency framework" writes it.

The CSV of Moodle's tool_lpimportcsv is accepted as-is (UTF-8 with or without a byte order
mark). The row with "Is framework" set is the framework (its "Taxonomy" gives the label of
each depth); top-level competencies become areas, their children competencies, deeper ones
competencies nested with ``parent``. Descriptions are HTML there: we keep plain text (tags
removed) and keep the original HTML, description format, scale, rules and exported id in
``extra["moodle"]`` so a Moodle export gives them back. Moodle scales are not our levels: a
Moodle framework gets three levels (Level 1..3), which educators can rename in the admin.
"""

from __future__ import annotations

import csv
import re
from html.parser import HTMLParser

from imh_competencies.frameworks_io.common import (
    Parsed,
    ParsedArea,
    ParsedCompetency,
    Ref,
    csv_bytes,
    csv_rows,
)
from imh_competencies.frameworks_io.tree import ordered
from imh_competencies.models import Area, Competency, Crosswalk, Framework

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


def _normalise_header(header: str) -> str:
    header = header.lower().replace("(optional)", "")
    return re.sub(r"[^a-z0-9]", "", header)


def looks_like_moodle(text: str) -> bool:
    """Whether the first line is Moodle's header (it has "Is framework" and "Parent ID number")."""
    first_line = text.lstrip().split("\n", 1)[0]
    normalised = {_normalise_header(cell) for cell in next(csv.reader([first_line]), [])}
    return "isframework" in normalised and "parentidnumber" in normalised


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
# Import
# --------------------------------------------------------------------------------------------


def parse(text: str) -> Parsed:
    """Moodle's CSV read into a ``Parsed`` framework; problems are collected, not raised."""
    parsed = Parsed(symmetric_links=True)
    header, records = csv_rows(text, parsed)
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
                ParsedArea(
                    code=code,
                    name=get(record, "shortname"),
                    description=html_to_text(description),
                    extra=extra,
                    where=number,
                )
            )
            continue
        refs = [
            Ref(code=raw.strip().replace("%2C", ",")) for raw in related.split(",") if raw.strip()
        ]
        # Links to areas cannot be crosswalks (those join competencies): keep them for Moodle.
        area_refs = [ref.code for ref in refs if ref.code in top_level]
        if area_refs:
            extra["moodle"]["related_areas"] = area_refs
        in_area = parent in top_level
        parsed.competencies.append(
            ParsedCompetency(
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
# Export
# --------------------------------------------------------------------------------------------


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


def export(framework: Framework) -> bytes:
    """The framework as Moodle's CSV, for Moodle's "Import competency framework"."""
    areas, competencies = ordered(framework)
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
    return csv_bytes(rows, bom=False)
