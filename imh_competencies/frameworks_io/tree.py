"""A framework read in order: areas, then competencies depth first, for exports and the admin."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from imh_competencies.models import Area, Competency, Crosswalk, Framework


def ordered(framework: Framework) -> tuple[list[Area], list[Competency]]:
    """The areas in order, and the competencies depth first (parents before children)."""
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


# --------------------------------------------------------------------------------------------
# Reads for the admin
# --------------------------------------------------------------------------------------------


@dataclass
class CompetencyNode:
    """A competency in the admin's tree, with its depth, descriptors and crosswalks."""

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
    """An area in the admin's tree and its competencies in order."""

    area: Area
    competencies: list[CompetencyNode] = field(default_factory=list)


def framework_tree(*, framework: Framework) -> list[AreaNode]:
    """Areas in order, each with its competencies depth first (parents before children) and
    their crosswalks either way, in a fixed number of queries."""
    areas, competencies = ordered(framework)
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
    """How many crosswalks from this framework wait for a framework not imported yet."""
    return sum(
        len(extra.get("pending_crosswalks") or [])
        for extra in Competency.objects.filter(
            framework=framework, extra__has_key="pending_crosswalks"
        ).values_list("extra", flat=True)
    )
