"""A scheme over a small framework, applicants with evidence, and an assessor."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from imh_competencies.models import Evidence
from imh_core.conf import imh_setting
from imh_recognition.models import Scheme
from tests.competencies.factories import AreaFactory, CompetencyFactory, FrameworkFactory
from tests.factories import UserFactory

_source_ids = itertools.count(1)


def make_framework_scheme(
    *, level: int = 1, competencies: int = 3, **fields
) -> tuple[Scheme, list]:
    """A scheme at ``level`` of a new framework with ``competencies`` competencies in two
    areas."""
    framework = FrameworkFactory()
    areas = [AreaFactory(framework=framework), AreaFactory(framework=framework)]
    items = [CompetencyFactory(area=areas[index % 2]) for index in range(competencies)]
    fields.setdefault("min_competencies_evidenced", 0)
    fields.setdefault("min_supervision_hours", Decimal("0"))
    scheme = Scheme.objects.create(
        framework=framework,
        level=level,
        title=fields.pop("title", f"Recognised at {framework.level_label(level)}"),
        **fields,
    )
    return scheme, items


def add_evidence(
    user,
    competency,
    *,
    level: int = 1,
    kind: str = Evidence.Kind.OBSERVATION,
    outcome: str = Evidence.Outcome.MET,
    occurred_on: datetime.date | None = None,
    title: str = "Observed home visit",
) -> Evidence:
    return Evidence.objects.create(
        user=user,
        competency=competency,
        level=level,
        kind=kind,
        outcome=outcome,
        occurred_on=occurred_on or timezone.localdate() - datetime.timedelta(days=10),
        title=title,
        source_type="tests.source",
        source_id=next(_source_ids),
    )


def make_assessor(**kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=imh_setting("IMH_RECOGNITION_ASSESSORS_GROUP")))
    return user


def ready_fields() -> dict:
    return {
        "area_of_practice": "health_visiting",
        "region": "north_west",
        "statement": "I support families with babies every day.",
        "public_consent_requested": True,
    }
