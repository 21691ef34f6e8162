"""Reads for competencies that other apps and the views rely on."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from competencies.models import Competency, Evidence, Framework, PageCompetency


def frameworks() -> QuerySet[Framework]:
    return Framework.objects.all()


def page_competencies(*, page_ids: Iterable[int]) -> QuerySet[PageCompetency]:
    """The competency mappings of these pages, with competency and framework loaded."""
    return PageCompetency.objects.filter(page_id__in=list(page_ids)).select_related(
        "competency__framework", "competency__area"
    )


def competencies_of(*, framework: Framework) -> QuerySet[Competency]:
    return Competency.objects.filter(framework=framework).select_related("area", "parent")


def evidence_for(*, user) -> QuerySet[Evidence]:
    return Evidence.objects.filter(user=user).select_related(
        "competency__framework", "competency__area"
    )
