"""Gathering a person's evidence for an application, from every app that holds some.

What counts for a scheme at level N of a framework:

- the evidence ledger (``imh_competencies``): every item "met" at level N or above for a
  competency of that framework: observations of practice, verified external learning,
  courses, quizzes, interactive activities, live sessions, supervision and reliability
  evidence recorded per competency (self-assessment is left out: it is the person's own
  rating, not evidence);
- certificates still valid: one item per competency of the framework the certificate names
  at level N or above, or one item for the whole application when it names none;
- confirmed reflective supervision received: one item per session, for the whole
  application, with its hours (the scheme's minimum hours is counted from these);
- current observation-scale reliability results: one item each, for the whole application.

A renewal only counts what happened since the recognition it renews was granted.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from imh_certificates.selectors import certificates_for
from imh_competencies.models import Evidence
from imh_competencies.selectors import evidence_for
from imh_core.links import path_for

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from imh_recognition.models import Scheme

# Ledger kinds that count; anything else (self-assessment) does not.
LEDGER_KINDS = {
    Evidence.Kind.QUIZ: "quiz",
    Evidence.Kind.H5P: "h5p",
    Evidence.Kind.ATTENDANCE: "attendance",
    Evidence.Kind.OBSERVATION: "observation",
    Evidence.Kind.EXTERNAL: "external",
    Evidence.Kind.COURSE: "course",
    Evidence.Kind.SUPERVISION: "supervision",
    Evidence.Kind.RELIABILITY: "reliability",
}


@dataclass(frozen=True)
class Gathered:
    kind: str
    title: str
    competency_id: int | None = None
    occurred_on: datetime.date | None = None
    detail: str = ""
    hours: Decimal | None = None
    url: str = ""
    source_type: str = ""
    source_id: int | None = None


def _ledger(user: AbstractBaseUser, scheme: Scheme, since: datetime.date | None) -> list[Gathered]:
    rows = evidence_for(user=user).filter(
        competency__framework_id=scheme.framework_id,
        level__gte=scheme.level,
        outcome=Evidence.Outcome.MET,
        kind__in=list(LEDGER_KINDS),
    )
    if since is not None:
        rows = rows.filter(occurred_on__gte=since)
    return [
        Gathered(
            kind=LEDGER_KINDS[row.kind],
            title=row.title,
            competency_id=row.competency_id,
            occurred_on=row.occurred_on,
            detail=row.detail,
            url=row.url,
            source_type=row.source_type,
            source_id=row.source_id,
        )
        for row in rows.order_by("occurred_on", "id")
    ]


def _certificates(
    user: AbstractBaseUser, scheme: Scheme, since: datetime.date | None
) -> list[Gathered]:
    today = timezone.localdate()
    framework = scheme.framework
    framework_label = str(framework)
    codes = dict(framework.competencies.values_list("code", "pk"))
    gathered: list[Gathered] = []
    for certificate in certificates_for(user=user):
        if certificate.effective_status(today) != "valid":
            continue
        if since is not None and certificate.completed_on < since:
            continue
        common = {
            "kind": "certificate",
            "title": certificate.title,
            "occurred_on": certificate.completed_on,
            "detail": _("Certificate %(code)s, %(hours)s CPD hours")
            % {"code": certificate.code, "hours": certificate.cpd_hours},
            "hours": certificate.cpd_hours,
            "url": path_for("imh_certificates:verify_code", certificate.code),
            "source_type": "imh_certificates.certificate",
            "source_id": certificate.pk,
        }
        matched = [
            codes[entry["code"]]
            for entry in certificate.competencies or []
            if isinstance(entry, dict)
            and entry.get("framework") in (framework_label, framework.name)
            and entry.get("code") in codes
            and int(entry.get("level") or 0) >= scheme.level
        ]
        if matched:
            gathered.extend(Gathered(competency_id=pk, **common) for pk in matched)
        else:
            gathered.append(Gathered(**common))
    return gathered


def _supervision(user: AbstractBaseUser, since: datetime.date | None) -> list[Gathered]:
    try:
        from imh_supervision.selectors import supervision_sessions_confirmed
    except ImportError:  # pragma: no cover - the supervision app is optional
        return []
    return [
        Gathered(
            kind="supervision",
            title=_("%(kind)s reflective supervision with %(supervisor)s")
            % {"kind": session.kind_label, "supervisor": session.supervisor_name},
            occurred_on=session.held_on,
            detail=session.organisation_name,
            hours=session.hours,
            source_type="imh_supervision.supervisionsession",
            source_id=session.pk,
        )
        for session in supervision_sessions_confirmed(user=user, since=since)
    ]


def _reliability(user: AbstractBaseUser, since: datetime.date | None) -> list[Gathered]:
    try:
        from imh_reliability.selectors import results_current
    except ImportError:  # pragma: no cover - the reliability app is optional
        return []
    gathered = []
    for attempt in results_current(user=user):
        submitted_on = timezone.localdate(attempt.submitted_at) if attempt.submitted_at else None
        if since is not None and submitted_on is not None and submitted_on < since:
            continue
        detail = _(
            "Exact agreement %(exact)s%%, weighted kappa %(kappa)s, valid until %(until)s"
        ) % {
            "exact": _percent(attempt.exact_agreement),
            "kappa": _two_places(attempt.weighted_kappa),
            "until": attempt.expires_on.strftime("%d/%m/%Y") if attempt.expires_on else "\u2013",
        }
        gathered.append(
            Gathered(
                kind="reliability",
                title=str(attempt.test),
                occurred_on=submitted_on,
                detail=detail,
                source_type=f"{attempt._meta.app_label}.{attempt._meta.model_name}",
                source_id=attempt.pk,
            )
        )
    return gathered


def _percent(value: object) -> str:
    if value is None:
        return "\u2013"
    number = Decimal(str(value))
    if number <= 1:
        number *= 100
    return f"{number.quantize(Decimal('1'))}"


def _two_places(value: object) -> str:
    if value is None:
        return "\u2013"
    return f"{Decimal(str(value)).quantize(Decimal('0.01'))}"


def gather(
    *, user: AbstractBaseUser, scheme: Scheme, since: datetime.date | None = None
) -> list[Gathered]:
    """Everything that counts for ``scheme``, per competency first, then the whole-application
    items (certificates naming none of its competencies, supervision, reliability)."""
    return [
        *_ledger(user, scheme, since),
        *_certificates(user, scheme, since),
        *_supervision(user, since),
        *_reliability(user, since),
    ]
