"""The CPD portfolio: certificates, external CPD a trainee logs, reflections, and its exports.

Certificates cannot import the apps above it, so lesson reflections come through a registry:
an app that keeps reflections calls ``register_reflections_source`` in its ``ready()`` with a
function ``fn(user) -> list[dict(title, prompt, text, updated_at, url)]``.

Hours count every certificate that is not revoked or superseded (an expired certificate is
still CPD that was done) plus every piece of external CPD. The CSV follows the columns of the
NMC revalidation CPD log: date, method, topic, link to the Code (left for the nurse or
midwife to complete), hours and participatory hours, and a reflection column.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from imh_accounts.absolute_urls import site_url
from imh_accounts.spreadsheets import spreadsheet_safe
from imh_certificates.models import Certificate, ExternalCPD

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

# Reflections from the apps above this one.

ReflectionsSource = Callable[[Any], list[dict[str, Any]]]
_reflection_sources: list[ReflectionsSource] = []


def register_reflections_source(source: ReflectionsSource) -> None:
    """Add ``source(user) -> [{title, prompt, text, updated_at, url}]`` to every portfolio."""
    if source not in _reflection_sources:
        _reflection_sources.append(source)


def reflections_for(*, user: AbstractBaseUser) -> list[dict[str, Any]]:
    """The person's reflections from every registered source, most recently edited first."""
    items: list[dict[str, Any]] = []
    for source in _reflection_sources:
        items.extend(source(user))
    return sorted(
        items,
        key=lambda item: (
            item.get("updated_at") or datetime.datetime.min.replace(tzinfo=datetime.UTC)
        ),
        reverse=True,
    )


# Selectors.


def certificates_for_portfolio(*, user: AbstractBaseUser) -> list[Certificate]:
    """The person's certificates, newest first; superseded ones are shown by their reissue."""
    return list(
        Certificate.objects.filter(holder=user)
        .exclude(status=Certificate.Status.SUPERSEDED)
        .order_by("-completed_on", "-issued_at", "-pk")
    )


def external_cpd_for(*, user: AbstractBaseUser) -> list[ExternalCPD]:
    return list(ExternalCPD.objects.filter(user=user).order_by("-completed_on", "-pk"))


def external_cpd_of_owner(*, user: AbstractBaseUser, pk: int) -> ExternalCPD:
    """One of the person's own entries; anyone else's id is a 404, so ids tell nothing."""
    try:
        return ExternalCPD.objects.get(pk=pk, user_id=getattr(user, "pk", None))
    except ExternalCPD.DoesNotExist:
        raise Http404("No CPD of yours has this id.") from None


def certificate_counts_as_cpd(certificate: Certificate) -> bool:
    return certificate.status == Certificate.Status.VALID


def certificate_pdf_url(certificate: Certificate) -> str:
    try:
        return reverse("imh_certificates:certificate_pdf", args=[certificate.code])
    except NoReverseMatch:  # pragma: no cover - the host mounts downloads elsewhere
        return ""


def certificate_verify_url(certificate: Certificate) -> str:
    """The public page where anyone can check the certificate (the QR code's target)."""
    try:
        path = reverse("imh_certificates:verify_code", args=[certificate.code])
    except NoReverseMatch:  # pragma: no cover
        path = f"/verify/{certificate.code}/"
    return site_url(path)


@dataclass
class Portfolio:
    certificates: list[Certificate]
    external: list[ExternalCPD]
    reflections: list[dict[str, Any]]
    today: datetime.date
    certificate_hours: Decimal = Decimal("0")
    external_hours: Decimal = Decimal("0")
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total_hours(self) -> Decimal:
        return self.certificate_hours + self.external_hours


def portfolio_for(*, user: AbstractBaseUser, today: datetime.date | None = None) -> Portfolio:
    """Everything the portfolio page and its exports show, read once."""
    today = today or timezone.localdate()
    certificates = certificates_for_portfolio(user=user)
    for certificate in certificates:
        certificate.portfolio_status = certificate.effective_status(today)
        certificate.portfolio_pdf_url = certificate_pdf_url(certificate)
    external = external_cpd_for(user=user)
    portfolio = Portfolio(
        certificates=certificates,
        external=external,
        reflections=reflections_for(user=user),
        today=today,
        certificate_hours=sum(
            (c.cpd_hours for c in certificates if certificate_counts_as_cpd(c)), Decimal("0")
        ),
        external_hours=sum((item.hours for item in external), Decimal("0")),
    )
    portfolio.rows = revalidation_rows(portfolio=portfolio)
    return portfolio


def revalidation_rows(*, portfolio: Portfolio) -> list[dict[str, Any]]:
    """One row per CPD activity, oldest first, in the NMC revalidation log's terms."""
    rows = []
    for certificate in portfolio.certificates:
        if not certificate_counts_as_cpd(certificate):
            continue
        # Live sessions attended mean the learning was with other people.
        participatory = bool(certificate.sessions)
        rows.append(
            {
                "date": certificate.completed_on,
                "method": (
                    "Course with live sessions" if participatory else "Online learning course"
                ),
                "title": certificate.title,
                "provider": certificate.issuer_name,
                "hours": certificate.cpd_hours,
                "participatory": participatory,
                "participatory_hours": certificate.cpd_hours if participatory else Decimal("0"),
                "certificate_code": certificate.code,
                "evidence": certificate_verify_url(certificate),
                "reflection": "",
            }
        )
    for item in portfolio.external:
        rows.append(
            {
                "date": item.completed_on,
                "method": "External learning",
                "title": item.title,
                "provider": item.provider,
                "hours": item.hours,
                "participatory": item.participatory,
                "participatory_hours": item.hours if item.participatory else Decimal("0"),
                "certificate_code": "",
                "evidence": item.evidence_file_name,
                "reflection": item.reflection,
            }
        )
    rows.sort(key=lambda row: row["date"])
    return rows


# Exports.


CSV_HEADER = [
    "Date",
    "Method",
    "Topic",
    "Provider",
    "Link to the Code",
    "Number of hours",
    "Participatory",
    "Number of participatory hours",
    "Certificate code",
    "Evidence",
    "Reflection",
]


def portfolio_csv(*, user: AbstractBaseUser, today: datetime.date | None = None) -> str:
    """The CPD log as CSV, one activity a row; "Link to the Code" is left for the person."""
    portfolio = portfolio_for(user=user, today=today)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in portfolio.rows:
        writer.writerow(
            [
                spreadsheet_safe(value)
                for value in (
                    row["date"].isoformat(),
                    row["method"],
                    row["title"],
                    row["provider"],
                    "",
                    row["hours"],
                    "Yes" if row["participatory"] else "No",
                    row["participatory_hours"],
                    row["certificate_code"],
                    row["evidence"],
                    row["reflection"],
                )
            ]
        )
    return out.getvalue()


def _url_fetcher() -> Any:
    """The certificate renderer's fetcher: the site's own static files and ``data:`` only."""
    from imh_certificates.rendering import SafeURLFetcher

    return SafeURLFetcher()


def portfolio_pdf(*, user: AbstractBaseUser, today: datetime.date | None = None) -> bytes:
    """The whole portfolio as one tagged A4 PDF; every text is escaped by the template."""
    from weasyprint import HTML

    portfolio = portfolio_for(user=user, today=today)
    html = render_to_string(
        "imh_certificates/portfolio_pdf.html",
        {
            "portfolio": portfolio,
            "person_name": _person_name(user),
            "site_name": getattr(settings, "WAGTAIL_SITE_NAME", ""),
            "generated_on": portfolio.today,
        },
    )
    fetcher = _url_fetcher()
    return HTML(string=html, base_url=fetcher.static_base, url_fetcher=fetcher).write_pdf(
        pdf_variant="pdf/ua-1"
    )


def _person_name(user: Any) -> str:
    profile = getattr(user, "profile", None)
    return (
        (getattr(profile, "full_name", "") or "").strip()
        or user.get_full_name()
        or user.get_username()
    )


# Services: external CPD.


def _evidence_file_validate(upload: object) -> None:
    from imh_competencies.services import evidence_file_validate

    evidence_file_validate(upload)


def _file_delete_on_commit(field_file: object) -> None:
    name = getattr(field_file, "name", "")
    if not name:
        return
    storage = field_file.storage  # type: ignore[attr-defined]
    transaction.on_commit(lambda: storage.delete(name), robust=True)


def _check_date(completed_on: datetime.date | None) -> None:
    if completed_on and completed_on > timezone.localdate():
        raise ValidationError(
            {"completed_on": "The date completed must be today or in the past."}, code="future"
        )


def _check_hours(hours: object) -> None:
    try:
        value = Decimal(str(hours))
    except (ArithmeticError, ValueError):
        value = None
    if value is None or not value.is_finite() or value <= 0:
        raise ValidationError(
            {"hours": "Enter the hours as a number greater than 0, like 3 or 7.5."},
            code="hours_not_positive",
        )


@transaction.atomic
def external_cpd_create(
    *,
    user: AbstractBaseUser,
    title: str,
    provider: str,
    completed_on: datetime.date,
    hours: object,
    reflection: str = "",
    participatory: bool = False,
    evidence_file: object | None = None,
) -> ExternalCPD:
    """Log CPD done elsewhere in the person's portfolio."""
    _check_date(completed_on)
    _check_hours(hours)
    item = ExternalCPD(
        user=user,
        title=(title or "").strip(),
        provider=(provider or "").strip(),
        completed_on=completed_on,
        hours=hours,
        participatory=bool(participatory),
        reflection=(reflection or "").strip(),
    )
    if evidence_file:
        _evidence_file_validate(evidence_file)
        item.evidence_file_name = (getattr(evidence_file, "name", "") or "")[-255:]
        item.evidence_file = evidence_file
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def external_cpd_update(
    *,
    external_cpd: ExternalCPD,
    actor: AbstractBaseUser,
    title: str,
    provider: str,
    completed_on: datetime.date,
    hours: object,
    reflection: str = "",
    participatory: bool = False,
    evidence_file: object | None = None,
    remove_evidence: bool = False,
) -> ExternalCPD:
    """Change an entry of one's own; a new file replaces the old one, which is deleted."""
    locked = ExternalCPD.objects.select_for_update().get(pk=external_cpd.pk)
    if locked.user_id != actor.pk:
        raise PermissionDenied("You can only change your own CPD.")
    _check_date(completed_on)
    _check_hours(hours)
    old_file = locked.evidence_file if locked.evidence_file else None
    locked.title = (title or "").strip()
    locked.provider = (provider or "").strip()
    locked.completed_on = completed_on
    locked.hours = hours
    locked.participatory = bool(participatory)
    locked.reflection = (reflection or "").strip()
    replace = False
    if evidence_file:
        _evidence_file_validate(evidence_file)
        locked.evidence_file_name = (getattr(evidence_file, "name", "") or "")[-255:]
        locked.evidence_file = evidence_file
        replace = True
    elif remove_evidence:
        locked.evidence_file = ""
        locked.evidence_file_name = ""
        replace = True
    locked.full_clean()
    locked.save()
    if replace and old_file:
        _file_delete_on_commit(old_file)
    return locked


@transaction.atomic
def external_cpd_delete(*, external_cpd: ExternalCPD, actor: AbstractBaseUser) -> None:
    """Remove an entry of one's own, and its evidence file."""
    locked = ExternalCPD.objects.select_for_update().get(pk=external_cpd.pk)
    if locked.user_id != actor.pk:
        raise PermissionDenied("You can only remove your own CPD.")
    _file_delete_on_commit(locked.evidence_file)
    locked.delete()


# Data rights.


def portfolio_data_export(user: Any) -> list[dict[str, Any]]:
    """The person's external CPD, for their data export."""
    return [
        {
            "title": item.title,
            "provider": item.provider,
            "completed_on": item.completed_on.isoformat(),
            "hours": str(item.hours),
            "participatory": item.participatory,
            "reflection": item.reflection,
            "evidence_file_name": item.evidence_file_name,
            "created_at": item.created_at.isoformat(),
            "updated_at": item.updated_at.isoformat(),
        }
        for item in ExternalCPD.objects.filter(user=user).order_by("completed_on", "pk")
    ]


@transaction.atomic
def portfolio_data_erase(user: Any) -> None:
    """Remove the person's external CPD and its files when they delete their account."""
    items: Iterable[ExternalCPD] = ExternalCPD.objects.filter(user=user)
    for item in items:
        _file_delete_on_commit(item.evidence_file)
    ExternalCPD.objects.filter(user=user).delete()
