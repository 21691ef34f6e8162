"""Mandatory rules and what can be made mandatory or assigned."""

from __future__ import annotations

from collections import Counter

from django.shortcuts import get_object_or_404

from imh_compliance.models import Assignment, MandatoryRule
from imh_compliance.selectors.access import active_members
from imh_courses.models import CoursePage, Pathway
from imh_organisations.models import Organisation


def item_for_key(key: str) -> CoursePage | Pathway | None:
    """The live course or active pathway a key such as "course:12" names, or None."""
    kind, _, pk = (key or "").partition(":")
    if not pk.isdigit() or len(pk) > 18:
        return None
    if kind == "course":
        return CoursePage.objects.live().filter(pk=int(pk)).first()
    if kind == "pathway":
        return Pathway.objects.filter(pk=int(pk), is_active=True).first()
    return None


def assignable_items(*, organisation: Organisation) -> list[tuple[str, str]]:
    """(key, title) of every live course and active pathway, sorted by title.

    What can be made mandatory or assigned; the same for every organisation, since the
    catalogue is shared. Keys start "course:" or "pathway:", so forms can group them.
    """
    items = [
        (f"course:{pk}", title)
        for pk, title in CoursePage.objects.live().values_list("pk", "title")
    ] + [
        (f"pathway:{pk}", title)
        for pk, title in Pathway.objects.filter(is_active=True).values_list("pk", "title")
    ]
    return sorted(items, key=lambda item: (item[1].casefold(), item[0]))


def rules_for(*, organisation: Organisation) -> list[MandatoryRule]:
    """The organisation's rules, active first then by title, each with ``assigned_count``.

    ``assigned_count`` is how many current members are assigned the rule's course or pathway
    (whether by the rule or by a manager). Two queries whatever the number of rules.
    """
    rules = list(
        MandatoryRule.objects.filter(organisation=organisation).select_related("course", "pathway")
    )
    counts = Counter(
        Assignment.objects.filter(
            organisation=organisation,
            user_id__in=active_members(organisation=organisation).values("user_id"),
        )
        .order_by()
        .values_list("course_id", "pathway_id")
    )
    for rule in rules:
        rule.assigned_count = counts.get((rule.course_id, rule.pathway_id), 0)
    rules.sort(key=lambda rule: (not rule.is_active, rule.item_title.casefold(), rule.pk))
    return rules


def rule_of_organisation(*, organisation: Organisation, pk: int) -> MandatoryRule:
    """One of the organisation's rules by id, or 404 (whichever organisation owns it)."""
    return get_object_or_404(
        MandatoryRule.objects.filter(organisation=organisation).select_related("course", "pathway"),
        pk=pk,
    )
