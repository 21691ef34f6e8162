"""Writing a checked framework: areas, competencies parents first, then crosswalks.

Crosswalks to another framework refer to it by slug (or name and version). If that framework
is not here yet, the link is kept as pending in the competency's ``extra["pending_crosswalks"]``
and made as soon as that framework is imported; the import result lists them as warnings.
"""

from __future__ import annotations

from django.utils.text import slugify

from imh_competencies.frameworks_io.common import ImportResult, Parsed, Ref
from imh_competencies.frameworks_io.validation import framework_lookup, where_text
from imh_competencies.models import Area, Competency, Crosswalk, Framework


def _unique_slug(preferred: str, name: str, version: str) -> str:
    base = slugify(preferred) or slugify(f"{name} {version}") or "framework"
    base = base[:110]
    slug, number = base, 2
    while Framework.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _ref_key(ref: Ref) -> dict:
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


def write(parsed: Parsed, fmt: str) -> ImportResult:
    """Write a checked framework (inside the caller's transaction) and make its crosswalks."""
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
                target = framework_lookup(ref)
                related = (
                    Competency.objects.filter(framework=target, code=ref.code).first()
                    if target
                    else None
                )
                if target is None:
                    pending.append(_ref_key(ref))
                    label = f"{ref.framework_name} {ref.framework_version}".strip() or ref.framework
                    result.warnings.append(
                        f'{where_text(item.where).capitalize()}: "{item.code}" links to '
                        f'"{ref.code}" in "{label}", which is not here yet. The link will be '
                        "made when that framework is imported."
                    )
                    continue
            if related is None:
                # Moodle id numbers that match nothing: Moodle itself ignores them. Say so, and
                # keep them so a Moodle export gives them back.
                result.warnings.append(
                    f'{where_text(item.where).capitalize()}: the cross-reference "{ref.code}" '
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
