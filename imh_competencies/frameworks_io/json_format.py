"""Our own JSON framework format: lossless, for moving a framework between sites like this.

::

    {"format": "imh-competency-framework", "format_version": 1,
     "framework": {"name", "version", "slug", "publisher", "licence_note", "description",
                   "levels": [...], "taxonomies": [...], "is_sample", "source_id", "extra"},
     "areas": [{"code", "name", "description", "extra"}, ...],
     "competencies": [{"code", "area", "parent", "short_name", "statement",
                       "descriptors": {"1": "...", "2": "..."}, "extra",
                       "crosswalks": [{"framework", "code", "note"}]}, ...]}
"""

from __future__ import annotations

import json

from imh_competencies.frameworks_io.common import (
    Parsed,
    ParsedArea,
    ParsedCompetency,
    Ref,
    link_entries,
    public_extra,
)
from imh_competencies.frameworks_io.tree import ordered
from imh_competencies.models import Framework
from imh_core.jsonsafe import JSONTooDeep, json_loads

JSON_FORMAT_NAME = "imh-competency-framework"
JSON_FORMAT_VERSION = 1


def parse(text: str) -> Parsed:
    """Our JSON read into a ``Parsed`` framework; problems are collected, not raised."""
    parsed = Parsed()
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
            ParsedArea(
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
                refs.append(Ref(code=link.strip()))
            elif isinstance(link, dict) and str(link.get("code") or "").strip():
                refs.append(
                    Ref(
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
            ParsedCompetency(
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


def export(framework: Framework) -> bytes:
    """The framework as our JSON: everything, for another site like this one."""
    areas, competencies = ordered(framework)
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
            "extra": public_extra(framework.extra),
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
                "crosswalks": link_entries(c),
                "extra": public_extra(c.extra),
            }
            for c in competencies
        ],
    }
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
