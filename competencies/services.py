"""Writes for competencies. Other apps record evidence only through ``evidence_record``."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import models, transaction

from competencies.models import Competency, Evidence

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


def source_key(source: models.Model) -> tuple[str, int]:
    """How the ledger names a source object: ``("app_label.model", pk)``."""
    return source._meta.label_lower, int(source.pk)


@transaction.atomic
def evidence_record(
    *,
    user: AbstractBaseUser,
    source: models.Model,
    kind: str,
    competencies: Iterable[tuple[Competency | int, int]],
    occurred_on: datetime.date,
    title: str,
    outcome: str = Evidence.Outcome.MET,
    detail: str = "",
    url: str = "",
    recorded_by: AbstractBaseUser | None = None,
) -> list[Evidence]:
    """Count ``source`` as evidence for ``user`` against each (competency, level) pair.

    Idempotent: recording the same source again updates its rows in place (a replayed
    result, a corrected observation) and never adds a second row per competency. Pairs left
    out of a later call are removed, so the ledger follows the source's current mapping.
    """
    if kind not in Evidence.Kind.values:
        raise ValueError(f"Unknown evidence kind {kind!r}.")
    if outcome not in Evidence.Outcome.values:
        raise ValueError(f"Unknown evidence outcome {outcome!r}.")
    source_type, source_id = source_key(source)
    wanted: dict[int, int] = {}
    for competency, level in competencies:
        competency_id = competency if isinstance(competency, int) else competency.pk
        wanted[competency_id] = max(level, wanted.get(competency_id, 0))
    existing = Evidence.objects.filter(user=user, source_type=source_type, source_id=source_id)
    existing.exclude(competency_id__in=list(wanted)).delete()
    rows = []
    for competency_id, level in wanted.items():
        row, _ = Evidence.objects.update_or_create(
            user=user,
            competency_id=competency_id,
            source_type=source_type,
            source_id=source_id,
            defaults={
                "level": max(level, 1),
                "kind": kind,
                "outcome": outcome,
                "occurred_on": occurred_on,
                "title": title[:255],
                "detail": detail,
                "url": url[:500],
                "recorded_by": recorded_by,
            },
        )
        rows.append(row)
    return rows


def evidence_withdraw(*, user: AbstractBaseUser, source: models.Model) -> int:
    """Remove everything ``source`` counted for ``user`` (a withdrawn observation, a corrected
    register). Returns how many items went."""
    source_type, source_id = source_key(source)
    deleted, _ = Evidence.objects.filter(
        user=user, source_type=source_type, source_id=source_id
    ).delete()
    return deleted
