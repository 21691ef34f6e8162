"""The matrix's columns: an organisation's mandatory courses and pathways, and what is assigned."""

from __future__ import annotations

from dataclasses import dataclass

from imh_compliance.models import Assignment, MandatoryRule
from imh_compliance.selectors.access import active_members
from imh_courses.models import CoursePage, Pathway
from imh_organisations.models import Organisation


@dataclass(frozen=True)
class Column:
    """One mandatory course or pathway: a column of the matrix."""

    key: str  # "course:12" or "pathway:3"
    kind: str  # "course" or "pathway"
    pk: int
    title: str
    course_ids: tuple[int, ...]  # the course, or the pathway's courses in order
    rule_id: int | None = None


def columns_for(*, organisation: Organisation) -> list[Column]:
    """The organisation's active rules, then anything else assigned to current members.

    Three queries whatever the rules and assignments (none waits for another's ids), so the
    matrix costs the same for one course as for ten courses and pathways.
    """
    active_rules = MandatoryRule.objects.filter(organisation=organisation, is_active=True)
    rules = list(active_rules.select_related("course"))
    assigned = Assignment.objects.filter(
        organisation=organisation,
        user_id__in=active_members(organisation=organisation).values("user_id"),
    ).order_by()
    ruled_courses = {rule.course_id for rule in rules if rule.course_id}
    ruled_pathways = {rule.pathway_id for rule in rules if rule.pathway_id}
    extra_courses = list(
        CoursePage.objects.filter(pk__in=assigned.filter(course__isnull=False).values("course_id"))
        .exclude(pk__in=ruled_courses)
        .only("pk", "title")
    )
    # Every pathway ruled or assigned, with its courses in order (one row per course).
    pathways: dict[int, tuple[str, list[int]]] = {}
    for pathway_id, title, course_id in (
        (
            Pathway.objects.filter(
                pk__in=active_rules.filter(pathway__isnull=False).values("pathway_id")
            )
            | Pathway.objects.filter(
                pk__in=assigned.filter(pathway__isnull=False).values("pathway_id")
            )
        )
        .order_by("pk", "pathway_courses__sort_order", "pathway_courses__pk")
        .values_list("pk", "title", "pathway_courses__course_id")
    ):
        courses = pathways.setdefault(pathway_id, (title, []))[1]
        if course_id is not None:
            courses.append(course_id)

    def pathway_column(pathway_id: int, rule_id: int | None = None) -> Column:
        title, course_ids = pathways.get(pathway_id, ("", []))
        return Column(
            f"pathway:{pathway_id}", "pathway", pathway_id, title, tuple(course_ids), rule_id
        )

    columns = []
    for rule in rules:
        if rule.course_id:
            columns.append(
                Column(
                    f"course:{rule.course_id}",
                    "course",
                    rule.course_id,
                    rule.course.title,
                    (rule.course_id,),
                    rule.pk,
                )
            )
        else:
            columns.append(pathway_column(rule.pathway_id, rule.pk))
    for course in sorted(extra_courses, key=lambda c: c.title.lower()):
        columns.append(
            Column(f"course:{course.pk}", "course", course.pk, course.title, (course.pk,))
        )
    extra_pathway_ids = [pk for pk in pathways if pk not in ruled_pathways]
    for pathway_id in sorted(extra_pathway_ids, key=lambda pk: pathways[pk][0].lower()):
        columns.append(pathway_column(pathway_id))
    return columns
