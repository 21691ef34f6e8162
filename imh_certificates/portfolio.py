"""The CPD portfolio: certificates, learning done elsewhere, reflections, and its exports.

Certificates cannot import the apps above it, so lesson reflections come through the
``IMH_PORTFOLIO_REFLECTIONS`` hook (see ``imh_core.hooks``), which courses answers.

Learning done elsewhere is logged once, in imh_competencies (where it can also be claimed as
competency evidence), and read here through its selector.

Hours count every certificate that is not revoked or superseded (an expired certificate is
still CPD that was done) plus every piece of learning done elsewhere, whatever an educator
decided about the competencies it claims: that review is about evidence, not about whether
the learning was done. The CSV follows the columns of the
NMC revalidation CPD log: date, method, topic, link to the Code (left for the nurse or
midwife to complete), hours and participatory hours, and a reflection column.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import timezone

from imh_certificates.models import Certificate
from imh_competencies.selectors import external_learning_for_portfolio
from imh_core.hooks import IMH_PORTFOLIO_ACTIVITIES, IMH_PORTFOLIO_REFLECTIONS, hook_results
from imh_core.links import path_for, site_url_for
from imh_core.people import person_name
from imh_core.site import site_name
from imh_core.spreadsheets import spreadsheet_safe

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from imh_competencies.models import ExternalLearning

# Reflections from the apps above this one.


def reflections_for(*, user: AbstractBaseUser) -> list[dict[str, Any]]:
    """The person's reflections from every answer to the hook, most recently edited first."""
    items: list[dict[str, Any]] = []
    for answer in hook_results(IMH_PORTFOLIO_REFLECTIONS, user):
        items.extend(answer)
    return sorted(
        items,
        key=lambda item: (
            item.get("updated_at") or datetime.datetime.min.replace(tzinfo=datetime.UTC)
        ),
        reverse=True,
    )


def activities_for(*, user: AbstractBaseUser) -> list[dict[str, Any]]:
    """More CPD activities from the apps above (``IMH_PORTFOLIO_ACTIVITIES``), newest first."""
    items: list[dict[str, Any]] = []
    for answer in hook_results(IMH_PORTFOLIO_ACTIVITIES, user):
        items.extend(answer or ())
    return sorted(items, key=lambda item: item["occurred_on"], reverse=True)


# Selectors.


def certificates_for_portfolio(*, user: AbstractBaseUser) -> list[Certificate]:
    """The person's certificates, newest first; superseded ones are shown by their reissue."""
    return list(
        Certificate.objects.filter(holder=user)
        .exclude(status=Certificate.Status.SUPERSEDED)
        .order_by("-completed_on", "-issued_at", "-pk")
    )


def certificate_counts_as_cpd(certificate: Certificate) -> bool:
    return certificate.status == Certificate.Status.VALID


def certificate_pdf_url(certificate: Certificate) -> str:
    return path_for("imh_certificates:certificate_pdf", certificate.code)


def certificate_verify_url(certificate: Certificate) -> str:
    """The public page where anyone can check the certificate (the QR code's target)."""
    return site_url_for(
        "imh_certificates:verify_code", certificate.code, fallback=f"/verify/{certificate.code}/"
    )


@dataclass
class Portfolio:
    certificates: list[Certificate]
    external: list[ExternalLearning]
    reflections: list[dict[str, Any]]
    today: datetime.date
    certificate_hours: Decimal = Decimal("0")
    external_hours: Decimal = Decimal("0")
    rows: list[dict[str, Any]] = field(default_factory=list)
    activities: list[dict[str, Any]] = field(default_factory=list)
    activity_hours: Decimal = Decimal("0")

    @property
    def total_hours(self) -> Decimal:
        return self.certificate_hours + self.external_hours + self.activity_hours


def portfolio_for(*, user: AbstractBaseUser, today: datetime.date | None = None) -> Portfolio:
    """Everything the portfolio page and its exports show, read once."""
    today = today or timezone.localdate()
    certificates = certificates_for_portfolio(user=user)
    for certificate in certificates:
        certificate.portfolio_status = certificate.effective_status(today)
        certificate.portfolio_pdf_url = certificate_pdf_url(certificate)
    external = external_learning_for_portfolio(user=user)
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
    portfolio.activities = activities_for(user=user)
    portfolio.activity_hours = sum(
        (Decimal(item["hours"]) for item in portfolio.activities), Decimal("0")
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
    for activity in portfolio.activities:
        hours = Decimal(activity["hours"])
        participatory = bool(activity.get("participatory"))
        rows.append(
            {
                "date": activity["occurred_on"],
                "method": activity.get("method") or "Other activity",
                "title": activity["title"],
                "provider": activity.get("provider", ""),
                "hours": hours,
                "participatory": participatory,
                "participatory_hours": hours if participatory else Decimal("0"),
                "certificate_code": "",
                "evidence": activity.get("url", ""),
                "reflection": "",
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
            "person_name": person_name(user),
            "site_name": site_name(),
            "generated_on": portfolio.today,
        },
    )
    fetcher = _url_fetcher()
    return HTML(string=html, base_url=fetcher.static_base, url_fetcher=fetcher).write_pdf(
        pdf_variant="pdf/ua-1"
    )
