"""Reads of certificates for pages, other apps and data exports."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from imh_certificates.models import Certificate, CertificateEvent, code_normalise

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


def certificates_for(
    *, user: AbstractBaseUser, include_superseded: bool = False
) -> QuerySet[Certificate]:
    """A person's certificates, newest first: valid, expired and revoked ones.

    Superseded certificates (replaced by a reissue) are left out unless asked for.
    """
    certificates = Certificate.objects.filter(holder_id=user.pk)
    if not include_superseded:
        certificates = certificates.exclude(status=Certificate.Status.SUPERSEDED)
    return certificates.order_by("-issued_at", "-id")


def certificate_by_code(*, code: str) -> Certificate | None:
    """The certificate with this code as typed (any case, spaces or dashes), or None.

    Malformed and overlong codes are None without a query. Otherwise one query, with the
    certificate that superseded it (for "replaced by") loaded.
    """
    normalised = code_normalise(code)
    if normalised is None:
        return None
    return Certificate.objects.select_related("superseded_by").filter(code=normalised).first()


def certificates_for_users(*, user_ids: Iterable[int]) -> QuerySet[Certificate]:
    """The current certificates (valid, expired or revoked) of these people, with holders."""
    return (
        Certificate.objects.filter(holder_id__in=list(user_ids))
        .exclude(status=Certificate.Status.SUPERSEDED)
        .select_related("holder")
        .order_by("holder_id", "-issued_at", "-id")
    )


def certificate_events(*, certificate: Certificate) -> QuerySet[CertificateEvent]:
    """The audit trail of one certificate, oldest first, with who did what."""
    return CertificateEvent.objects.filter(certificate=certificate).select_related("actor")


def certificate_data_export(user: AbstractBaseUser) -> list[dict[str, Any]]:
    """Every certificate issued to the person, superseded ones too, as JSON-safe data."""
    certificates = certificates_for(user=user, include_superseded=True).select_related(
        "superseded_by"
    )
    return [
        {
            "code": certificate.code,
            "name_on_certificate": certificate.holder_name,
            "kind": certificate.get_kind_display(),
            "title": certificate.title,
            "cpd_hours": str(certificate.cpd_hours),
            "completed_on": certificate.completed_on.isoformat(),
            "issued_at": certificate.issued_at.isoformat(),
            "expires_on": certificate.expires_on.isoformat() if certificate.expires_on else None,
            "status": certificate.effective_status(),
            "revoked_reason": certificate.revoked_reason,
            "superseded_by": certificate.superseded_by.code if certificate.superseded_by else None,
            "issuer": certificate.issuer_name,
            "competencies": certificate.competencies,
            "sessions": certificate.sessions,
        }
        for certificate in certificates
    ]
