"""Reads for recognition applications: pages, the assessors' queue, data exports."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from imh_competencies.models import Area, Competency
from imh_core.formatting import hours_text
from imh_core.people import select_people
from imh_recognition.models import (
    Application,
    CompetencyStatement,
    EvidenceItem,
    Message,
    Recognition,
    Scheme,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


# Schemes.


def schemes_open() -> QuerySet[Scheme]:
    return Scheme.objects.filter(open=True).select_related("framework")


def scheme_competencies(*, scheme: Scheme) -> QuerySet[Competency]:
    """The competencies recognition at this level covers: those with a descriptor at the
    level, or all of the framework's when it has no descriptors at all."""
    competencies = Competency.objects.filter(framework_id=scheme.framework_id).select_related(
        "area"
    )
    with_level = competencies.filter(descriptors__has_key=str(scheme.level))
    if with_level.exists():
        return with_level
    return competencies


# Requirements.


@dataclass
class Requirements:
    """What the scheme asks for against what the application's included evidence shows."""

    supervision_hours: Decimal
    min_supervision_hours: Decimal
    reliability_required: bool
    reliability_current: bool
    competencies_evidenced: int
    competencies_needed: int
    competencies_total: int

    @property
    def supervision_met(self) -> bool:
        return self.supervision_hours >= self.min_supervision_hours

    @property
    def reliability_met(self) -> bool:
        return self.reliability_current or not self.reliability_required

    @property
    def competencies_met(self) -> bool:
        return self.competencies_evidenced >= self.competencies_needed

    @property
    def all_met(self) -> bool:
        return self.supervision_met and self.reliability_met and self.competencies_met

    def unmet_messages(self) -> list[str | Promise]:
        messages: list[str | Promise] = []
        if not self.competencies_met:
            messages.append(
                ngettext(
                    "Evidence for at least %(needed)s competency is needed; you have evidence "
                    "for %(count)s.",
                    "Evidence for at least %(needed)s competencies is needed; you have "
                    "evidence for %(count)s.",
                    self.competencies_needed,
                )
                % {"needed": self.competencies_needed, "count": self.competencies_evidenced}
            )
        if not self.supervision_met:
            messages.append(
                _("At least %(minimum)s of reflective supervision are needed; you have %(hours)s.")
                % {
                    "minimum": hours_text(self.min_supervision_hours),
                    "hours": hours_text(self.supervision_hours),
                }
            )
        if not self.reliability_met:
            messages.append(
                _("A current observation-scale reliability result is needed; you have none.")
            )
        return messages


def application_requirements(*, application: Application) -> Requirements:
    scheme = application.scheme
    included = EvidenceItem.objects.filter(application_id=application.pk, included=True)
    required_ids = set(scheme_competencies(scheme=scheme).values_list("pk", flat=True))
    evidenced = set(
        included.filter(competency_id__in=required_ids).values_list("competency_id", flat=True)
    )
    hours = included.filter(kind=EvidenceItem.Kind.SUPERVISION, competency__isnull=True).aggregate(
        total=Sum("hours")
    )["total"] or Decimal("0")
    needed = scheme.min_competencies_evidenced or len(required_ids)
    return Requirements(
        supervision_hours=hours.quantize(Decimal("0.1")),
        min_supervision_hours=scheme.min_supervision_hours,
        reliability_required=scheme.reliability_required,
        reliability_current=included.filter(
            kind=EvidenceItem.Kind.RELIABILITY, competency__isnull=True
        ).exists(),
        competencies_evidenced=len(evidenced),
        competencies_needed=min(needed, len(required_ids)) if required_ids else needed,
        competencies_total=len(required_ids),
    )


# The evidence of one application, grouped for its pages.


@dataclass
class CompetencyEvidence:
    competency: Competency
    items: list[EvidenceItem] = field(default_factory=list)
    statement: str = ""

    @property
    def evidenced(self) -> bool:
        return any(item.included for item in self.items)


@dataclass
class AreaEvidence:
    area: Area
    competencies: list[CompetencyEvidence] = field(default_factory=list)


@dataclass
class EvidenceSummary:
    areas: list[AreaEvidence]
    whole: list[EvidenceItem]


def application_evidence(*, application: Application) -> EvidenceSummary:
    """The application's evidence by area and competency (every competency the scheme
    covers, with or without evidence), then the items for the whole application."""
    items = list(application.evidence_items.all().order_by("occurred_on", "pk"))
    statements = dict(
        CompetencyStatement.objects.filter(application=application).values_list(
            "competency_id", "text"
        )
    )
    by_competency: dict[int, list[EvidenceItem]] = {}
    for item in items:
        if item.competency_id is not None:
            by_competency.setdefault(item.competency_id, []).append(item)
    areas: dict[int, AreaEvidence] = {}
    for competency in scheme_competencies(scheme=application.scheme).order_by(
        "area__sort_order", "area__code", "sort_order", "code"
    ):
        group = areas.setdefault(competency.area_id, AreaEvidence(area=competency.area))
        group.competencies.append(
            CompetencyEvidence(
                competency=competency,
                items=by_competency.get(competency.pk, []),
                statement=statements.get(competency.pk, ""),
            )
        )
    return EvidenceSummary(
        areas=list(areas.values()), whole=[item for item in items if item.competency_id is None]
    )


# The applicant's own.


def applications_for(*, user: AbstractBaseUser) -> QuerySet[Application]:
    return Application.objects.filter(applicant=user).select_related("scheme__framework")


def application_for_applicant(*, user: AbstractBaseUser, pk: int) -> Application:
    """One of the person's own applications, or 404 (someone else's is not found)."""
    application = (
        Application.objects.filter(pk=pk, applicant_id=user.pk)
        .select_related("scheme__framework", "renews")
        .first()
    )
    if application is None:
        raise Http404
    return application


def recognitions_for(*, user: AbstractBaseUser) -> QuerySet[Recognition]:
    return Recognition.objects.filter(person=user).select_related("scheme__framework")


def messages_for_applicant(*, application: Application) -> QuerySet[Message]:
    """The thread as the applicant sees it: never the assessors' internal notes."""
    return select_people(application.messages.exclude(kind=Message.Kind.NOTE), "author").order_by(
        "created_at", "pk"
    )


def request_open(*, application: Application) -> Message | None:
    """The assessor's latest request, while the applicant has still to answer it."""
    if application.status != Application.Status.MORE_INFO:
        return None
    return application.messages.filter(kind=Message.Kind.REQUEST).order_by("-created_at").first()


# Assessors.


def applications_for_review(
    *, scheme_id: int | None = None, status: str | None = None, region: str | None = None
) -> QuerySet[Application]:
    """The assessors' queue: applications sent at least once (drafts are private), oldest
    submission first."""
    applications = Application.objects.exclude(
        Q(status=Application.Status.DRAFT)
        | Q(status=Application.Status.WITHDRAWN, submitted_at__isnull=True)
    )
    if scheme_id:
        applications = applications.filter(scheme_id=scheme_id)
    if status:
        applications = applications.filter(status=status)
    if region:
        applications = applications.filter(region=region)
    return select_people(
        applications.select_related("scheme__framework").order_by("submitted_at", "pk"),
        "applicant",
    )


def application_for_review(*, pk: int) -> Application:
    application = (
        select_people(
            Application.objects.select_related("scheme__framework", "renews"),
            "applicant",
            "decided_by",
        )
        .filter(pk=pk)
        .exclude(status=Application.Status.DRAFT)
        .first()
    )
    if application is None:
        raise Http404
    return application


def messages_for_assessor(*, application: Application) -> QuerySet[Message]:
    return select_people(application.messages.all(), "author").order_by("created_at", "pk")


def open_application_count() -> int:
    return Application.objects.filter(status=Application.Status.SUBMITTED).count()


# Data rights.


def recognition_data_export_for_user(user: AbstractBaseUser) -> dict[str, Any]:
    """The person's applications (with their statements, evidence and the messages they
    were shown) and recognitions, as JSON-safe data. Internal notes are the assessors'."""
    applications = (
        Application.objects.filter(applicant=user)
        .select_related("scheme")
        .prefetch_related(
            "competency_statements__competency",
            "evidence_items__competency",
            Prefetch(
                "messages",
                queryset=Message.objects.exclude(kind=Message.Kind.NOTE).order_by("created_at"),
            ),
        )
        .order_by("created_at")
    )
    return {
        "applications": [
            {
                "scheme": application.scheme.title,
                "kind": application.kind,
                "status": application.status,
                "area_of_practice": application.area_of_practice,
                "region": application.region,
                "statement": application.statement,
                "public_consent_requested": application.public_consent_requested,
                "created_at": application.created_at.isoformat(),
                "submitted_at": _iso(application.submitted_at),
                "decided_at": _iso(application.decided_at),
                "decision_reason": application.decision_reason,
                "competency_statements": [
                    {"competency": statement.competency.code, "text": statement.text}
                    for statement in application.competency_statements.all()
                ],
                "evidence": [
                    {
                        "kind": item.kind,
                        "title": item.title,
                        "competency": item.competency.code if item.competency else None,
                        "occurred_on": _iso(item.occurred_on),
                        "hours": str(item.hours) if item.hours is not None else None,
                        "included": item.included,
                    }
                    for item in application.evidence_items.all()
                ],
                "messages": [
                    {
                        "kind": message.kind,
                        "text": message.text,
                        "created_at": message.created_at.isoformat(),
                        "mine": message.author_id == user.pk,
                    }
                    for message in application.messages.all()
                ],
            }
            for application in applications
        ],
        "recognitions": [
            {
                "scheme": recognition.scheme.title,
                "level": recognition.level,
                "code": recognition.code,
                "display_name": recognition.display_name,
                "area_of_practice": recognition.area_of_practice,
                "region": recognition.region,
                "granted_on": recognition.granted_on.isoformat(),
                "valid_until": recognition.valid_until.isoformat(),
                "status": recognition.status,
                "public": recognition.public,
            }
            for recognition in Recognition.objects.filter(person=user).select_related("scheme")
        ],
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
