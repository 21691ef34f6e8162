"""Background work for certificates: rendering the PDF after the record exists.

The task backends of django-tasks have no retries of their own, so a failed render records the
failure on the certificate (status, error, an audit event) and queues itself again with a
growing delay, up to ``MAX_ATTEMPTS``; after that the certificate is marked as given up, which
admins see in the certificate admin. The certificate itself, and its verification page, never
depend on the PDF.
"""

from __future__ import annotations

import datetime
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from imh_certificates import rendering
from imh_certificates.models import Certificate, CertificateEvent
from imh_core.tasks import enqueue_later, task

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Seconds to wait before attempts 2, 3, 4 and 5.
RETRY_DELAYS = (60, 5 * 60, 30 * 60, 2 * 60 * 60)
ERROR_MAX_LENGTH = 2000


@task()
def certificate_render_pdf(certificate_id: int) -> str:
    """Render and store the PDF of one certificate; returns what happened, for the task log."""
    return certificate_pdf_render(certificate_id=certificate_id)


def certificate_pdf_render(*, certificate_id: int) -> str:
    certificate = Certificate.objects.filter(pk=certificate_id).first()
    if certificate is None:
        return "missing"
    if certificate.pdf_status == Certificate.PdfStatus.READY and certificate.pdf:
        return "already ready"
    # Revoked and superseded certificates are still rendered: the PDF says so on its face,
    # and their holders keep a copy of what they were given.
    try:
        pdf = rendering.certificate_pdf(certificate=certificate)
    except Exception as error:
        logger.exception("Certificate %s: the PDF could not be made", certificate.code)
        return _record_failure(certificate_id=certificate_id, error=error)
    return _record_success(certificate_id=certificate_id, pdf=pdf)


@transaction.atomic
def _record_success(*, certificate_id: int, pdf: bytes) -> str:
    certificate = Certificate.objects.select_for_update().get(pk=certificate_id)
    if certificate.pdf_status == Certificate.PdfStatus.READY and certificate.pdf:
        return "already ready"  # another worker finished first
    certificate.pdf.save(f"certificate-{certificate.code}.pdf", ContentFile(pdf), save=False)
    certificate.pdf_status = Certificate.PdfStatus.READY
    certificate.pdf_attempts += 1
    certificate.pdf_error = ""
    certificate.pdf_rendered_at = timezone.now()
    certificate.save(
        update_fields=["pdf", "pdf_status", "pdf_attempts", "pdf_error", "pdf_rendered_at"]
    )
    CertificateEvent.objects.create(
        certificate=certificate,
        action=CertificateEvent.Action.PDF_READY,
        detail=f"Attempt {certificate.pdf_attempts}.",
    )
    return "ready"


def _record_failure(*, certificate_id: int, error: BaseException) -> str:
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().filter(pk=certificate_id).first()
        if certificate is None:
            return "missing"
        if certificate.pdf_status == Certificate.PdfStatus.READY and certificate.pdf:
            return "already ready"
        certificate.pdf_attempts += 1
        attempts = certificate.pdf_attempts
        gave_up = attempts >= MAX_ATTEMPTS
        message = f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]
        certificate.pdf_error = message
        certificate.pdf_status = (
            Certificate.PdfStatus.GAVE_UP if gave_up else Certificate.PdfStatus.FAILED
        )
        certificate.save(update_fields=["pdf_attempts", "pdf_error", "pdf_status"])
        if gave_up:
            detail = f"Attempt {attempts} of {MAX_ATTEMPTS} failed; no more attempts. {message}"
        else:
            delay = retry_delay(attempts)
            detail = (
                f"Attempt {attempts} of {MAX_ATTEMPTS} failed; trying again in "
                f"{_duration(delay)}. {message}"
            )
        CertificateEvent.objects.create(
            certificate=certificate, action=CertificateEvent.Action.PDF_FAILED, detail=detail
        )
    if gave_up:
        return "gave up"
    _enqueue_retry(certificate_id=certificate_id, delay=delay)
    return "failed, retry queued"


def certificate_pdfs_outstanding(*, before: datetime.datetime) -> list[int]:
    """Ids of certificates, made before ``before``, whose PDF is still to come (waiting, or
    failed with a retry due); the site's task recovery queues a render for any that have no
    task queued."""
    return list(
        Certificate.objects.filter(
            pdf_status__in=[Certificate.PdfStatus.PENDING, Certificate.PdfStatus.FAILED],
            created_at__lt=before,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def retry_delay(attempts: int) -> datetime.timedelta:
    """How long to wait after ``attempts`` failed attempts."""
    index = min(max(attempts, 1), len(RETRY_DELAYS)) - 1
    return datetime.timedelta(seconds=RETRY_DELAYS[index])


def _enqueue_retry(*, certificate_id: int, delay: datetime.timedelta) -> None:
    try:
        enqueue_later(certificate_render_pdf, certificate_id, delay=delay)
    except Exception:
        logger.exception("Certificate %s: the PDF retry could not be queued", certificate_id)


def _duration(delay: datetime.timedelta) -> str:
    seconds = int(delay.total_seconds())
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour" if hours == 1 else f"{hours} hours"
    minutes = max(seconds // 60, 1)
    return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"
