"""Every change to a certificate goes through here: issue, revocation, reissue, PDF retries.

Certificates state what was completed as it stood at issue. The app that decides completion
(courses) hands over a snapshot; this app never reads courses. Issue is idempotent per
source (the completion record): the partial unique constraint
``certificates_one_current_per_completion`` allows one current (not superseded) certificate
per source, so two requests or two workers issuing for the same completion at once still
make one certificate; the loser of the race gets the winner's.

The issuer and signatory come from the default ``CertificateTemplate``. Without one, the
issuer is the host site's name (the ``IMH_CERTIFICATE_ISSUER`` hook; otherwise the
``IMH_CERTIFICATE_ISSUER_DEFAULT`` setting, default "IMH Learning") and there is no
signatory: a certificate is never held back for want of a template.

Revoking, reissuing and retrying a PDF need the ``imh_certificates.change_certificate``
permission; they are admin actions, recorded in the certificate's audit trail.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from imh_certificates.models import Certificate, CertificateEvent, CertificateTemplate
from imh_certificates.policies import issuer_default
from imh_certificates.tasks import certificate_render_pdf
from imh_core.links import site_url, site_url_for
from imh_core.mail import email_message
from imh_core.people import person_name
from imh_core.site import site_name

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

CHANGE_PERMISSION = "imh_certificates.change_certificate"
REASON_MAX_LENGTH = 1000


# Helpers.


def holder_name_for(user: AbstractBaseUser) -> str:
    """The name a certificate prints: the profile's full name, else the account's name, else
    the username; never the email address, which the public verification page would show."""
    return person_name(user, email_fallback=False)


def default_issuer() -> dict[str, Any]:
    """Issuer and signatory for new certificates, from the default template if there is one."""
    template = CertificateTemplate.objects.filter(is_default=True).first()
    if template is None:
        return {
            "template": None,
            "issuer_name": issuer_default()["name"],
            "signatory_name": "",
            "signatory_role": "",
        }
    return {
        "template": template,
        "issuer_name": template.issuer_name,
        "signatory_name": template.signatory_name,
        "signatory_role": template.signatory_role,
    }


def user_may_change_certificates(user: Any) -> bool:
    """Whether ``user`` may revoke and reissue certificates and retry their PDFs."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.has_perm(CHANGE_PERMISSION)
    )


def _change_permission_require(actor: Any) -> None:
    if not user_may_change_certificates(actor):
        raise PermissionDenied(gettext("You do not have permission to change certificates."))


def _pdf_render_enqueue(certificate_id: int) -> None:
    """Queue the PDF once the certificate is committed (the task reads it from the database).

    ``robust``: a queue that is down must not undo the certificate; it stays "waiting to be
    made" in the admin, where the PDF can be retried.
    """

    def pdf_render_enqueue() -> None:
        # A named function, not functools.partial: Django logs a robust callback's failure
        # by its __qualname__, which a partial lacks.
        certificate_render_pdf.enqueue(certificate_id)

    transaction.on_commit(pdf_render_enqueue, robust=True)


def certificate_issued_message(*, certificate: Certificate) -> EmailMultiAlternatives | None:
    """The email telling the holder their certificate is issued, with links to it (``None``
    for a holder with no email address or whose account is closed)."""
    holder = certificate.holder
    if not getattr(holder, "email", "") or not getattr(holder, "is_active", True):
        return None
    context = {
        "certificate": certificate,
        "holder_name": certificate.holder_name or holder_name_for(holder),
        "cpd_hours": f"{certificate.cpd_hours.normalize():f}",
        "site_name": site_name(),
        "site_url": site_url(),
        "certificate_url": site_url_for(
            "imh_certificates:certificate_pdf", certificate.code, fallback="/"
        ),
        "verification_url": site_url_for(
            "imh_certificates:verify_code",
            certificate.code,
            fallback=f"/verify/{certificate.code}/",
        ),
        "portfolio_url": site_url_for("imh_certificates:portfolio", fallback="/"),
    }
    return email_message(
        to=holder.email,
        subject=render_to_string("imh_certificates/email/certificate_issued_subject.txt", context),
        template="imh_certificates/email/certificate_issued.txt",
        html_template="imh_certificates/email/certificate_issued.html",
        context=context,
    )


def _issued_email_send(certificate_id: int) -> None:
    """Email the holder once the new certificate is committed, however it was earned.

    Every route to a certificate (a lesson marked complete, a quiz or H5P activity passed,
    attendance marked, the catch-up of missed issues) ends in ``certificate_issue``, which
    creates a certificate once per completion; so the email goes once. It goes through the
    site's mail backend (the task queue), after the commit, and ``robust``: a mail problem
    never undoes the certificate.
    """

    def certificate_issued_email_send() -> None:
        # A named function, not a lambda: Django logs a robust callback's failure by its
        # __qualname__.
        certificate = Certificate.objects.select_related("holder").get(pk=certificate_id)
        message = certificate_issued_message(certificate=certificate)
        if message is not None:
            message.send()

    transaction.on_commit(certificate_issued_email_send, robust=True)


def _event(
    certificate: Certificate, action: str, *, actor: Any = None, detail: str = ""
) -> CertificateEvent:
    return CertificateEvent.objects.create(
        certificate=certificate,
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        detail=detail,
    )


def _current_for(*, source_type: str, source_id: int) -> Certificate | None:
    return (
        Certificate.objects.filter(source_type=source_type, source_id=source_id)
        .exclude(status=Certificate.Status.SUPERSEDED)
        .first()
    )


def _locked(certificate: Certificate) -> Certificate:
    return Certificate.objects.select_for_update().get(pk=certificate.pk)


def _refresh(certificate: Certificate, locked: Certificate) -> None:
    """Copy the stored state back onto the caller's instance."""
    for field in (
        "status",
        "revoked_at",
        "revoked_reason",
        "superseded_by_id",
        "pdf_status",
        "pdf_attempts",
        "pdf_error",
    ):
        setattr(certificate, field, getattr(locked, field))
    if locked.superseded_by_id is None:
        certificate.superseded_by = None


def _snapshot_validate(certificate: Certificate) -> None:
    """Field checks, and the check constraints in words; uniqueness is left to the database
    (a read here could not see a concurrent insert)."""
    errors: dict[str, list[str]] = {}
    try:
        certificate.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors = error.message_dict
    if isinstance(certificate.cpd_hours, Decimal) and certificate.cpd_hours < 0:
        errors.setdefault("cpd_hours", []).append("CPD hours cannot be negative")
    if errors:
        raise ValidationError(errors)


# Issue.


@transaction.atomic
def certificate_issue(
    *,
    holder: AbstractBaseUser,
    kind: str,
    source: models.Model,
    title: str,
    cpd_hours: Decimal | int | str,
    completed_on: datetime.date,
    expires_on: datetime.date | None = None,
    competencies: Iterable[Mapping[str, Any]] = (),
    sessions: Iterable[Mapping[str, Any]] = (),
) -> Certificate:
    """The certificate for ``source`` (a completion record), issued now if it has none.

    Idempotent: while a current certificate for ``source`` exists (valid or revoked, not
    superseded) it is returned unchanged, whatever else is passed. A new certificate carries
    the holder's name as it stands now, the issuer and signatory of the default template,
    an "issued" event, and, once the transaction commits, a PDF render queued and an email
    telling the holder, with links to the certificate.
    """
    if source is None or source.pk is None:
        raise ValueError("A certificate needs a saved source record.")
    if kind not in Certificate.Kind.values:
        raise ValueError(f"Unknown certificate kind {kind!r}.")
    source_type, source_id = source._meta.label_lower, source.pk

    existing = _current_for(source_type=source_type, source_id=source_id)
    if existing is not None:
        return existing

    certificate = Certificate(
        holder=holder,
        holder_name=holder_name_for(holder),
        kind=kind,
        source_type=source_type,
        source_id=source_id,
        title=title,
        cpd_hours=cpd_hours,
        completed_on=completed_on,
        expires_on=expires_on,
        competencies=[dict(item) for item in competencies],
        sessions=[dict(item) for item in sessions],
        **default_issuer(),
    )
    _snapshot_validate(certificate)
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError:
        # Another request or worker issued it first: theirs is the certificate.
        existing = _current_for(source_type=source_type, source_id=source_id)
        if existing is None:
            raise
        return existing
    _event(certificate, CertificateEvent.Action.ISSUED)
    _pdf_render_enqueue(certificate.pk)
    _issued_email_send(certificate.pk)
    return certificate


# Lifecycle.


@transaction.atomic
def certificate_revoke(
    *, certificate: Certificate, reason: str, actor: AbstractBaseUser
) -> Certificate:
    """Revoke ``certificate`` for ``reason``, which the verification page then shows.

    A revoked certificate stays revoked: it cannot be revoked again or reissued.
    """
    _change_permission_require(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": gettext("Enter the reason for revoking the certificate")},
            code="reason_required",
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": gettext("The reason must be %(limit)s characters or fewer")
                % {"limit": f"{REASON_MAX_LENGTH:,}"}
            },
            code="reason_too_long",
        )
    locked = _locked(certificate)
    if locked.status == Certificate.Status.REVOKED:
        raise ValidationError(gettext("This certificate has already been revoked."), code="revoked")
    if locked.status == Certificate.Status.SUPERSEDED:
        raise ValidationError(
            gettext(
                "This certificate has been replaced by a reissue, so it cannot be revoked. "
                "Revoke the current certificate, %(code)s, instead."
            )
            % {"code": locked.superseded_by.code},
            code="superseded",
        )
    locked.status = Certificate.Status.REVOKED
    locked.revoked_at = timezone.now()
    locked.revoked_reason = reason
    locked.full_clean(validate_unique=False)
    locked.save(update_fields=["status", "revoked_at", "revoked_reason"])
    _event(locked, CertificateEvent.Action.REVOKED, actor=actor, detail=reason)
    _refresh(certificate, locked)
    return locked


@transaction.atomic
def certificate_reissue(
    *, certificate: Certificate, actor: AbstractBaseUser, reason: str = ""
) -> Certificate:
    """Replace ``certificate`` with a new one: a new code and the holder's current name.

    Everything else it states stays as it was (what was completed, hours, dates, expiry,
    competencies, sessions, issuer, signatory). The old certificate is marked superseded and
    linked to the new one, which gets a fresh PDF. Returns the new certificate.
    """
    _change_permission_require(actor)
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": gettext("The reason must be %(limit)s characters or fewer")
                % {"limit": f"{REASON_MAX_LENGTH:,}"}
            },
            code="reason_too_long",
        )
    old = _locked(certificate)
    if old.status == Certificate.Status.REVOKED:
        raise ValidationError(
            gettext("This certificate has been revoked, so it cannot be reissued."),
            code="revoked",
        )
    if old.status == Certificate.Status.SUPERSEDED:
        raise ValidationError(
            gettext(
                "This certificate has already been reissued as %(code)s. Reissue that "
                "certificate instead."
            )
            % {"code": old.superseded_by.code},
            code="superseded",
        )

    new = Certificate(
        holder_id=old.holder_id,
        holder_name=holder_name_for(old.holder),
        kind=old.kind,
        # Only one current certificate per source, and the old one can only be marked
        # superseded once its successor exists: the new row starts under a placeholder
        # source (a negative id no real record has; the lock on the old row keeps it ours)
        # and takes the real one once the old row has stepped aside.
        source_type=old.source_type,
        source_id=-old.pk,
        title=old.title,
        cpd_hours=old.cpd_hours,
        completed_on=old.completed_on,
        expires_on=old.expires_on,
        competencies=old.competencies,
        sessions=old.sessions,
        issuer_name=old.issuer_name,
        signatory_name=old.signatory_name,
        signatory_role=old.signatory_role,
        template_id=old.template_id,
    )
    new.full_clean(validate_unique=False, validate_constraints=False)
    new.save()
    old.status = Certificate.Status.SUPERSEDED
    old.superseded_by = new
    old.full_clean(validate_unique=False, validate_constraints=False)
    old.save(update_fields=["status", "superseded_by"])
    Certificate.objects.filter(pk=new.pk).update(source_id=old.source_id)
    new.source_id = old.source_id

    because = f" Reason: {reason}" if reason else ""
    _event(
        old,
        CertificateEvent.Action.REISSUED,
        actor=actor,
        detail=f"Replaced by {new.code}.{because}",
    )
    _event(
        new, CertificateEvent.Action.ISSUED, actor=actor, detail=f"Reissue of {old.code}.{because}"
    )
    _pdf_render_enqueue(new.pk)
    _refresh(certificate, old)
    certificate.superseded_by = new
    return new


@transaction.atomic
def certificate_pdf_retry(*, certificate: Certificate, actor: AbstractBaseUser) -> Certificate:
    """Queue the PDF to be made again (after a failed render, or to refresh it).

    The attempt count starts again, so a render that had given up gets its full retries.
    """
    _change_permission_require(actor)
    locked = _locked(certificate)
    locked.pdf_status = Certificate.PdfStatus.PENDING
    locked.pdf_attempts = 0
    locked.pdf_error = ""
    locked.save(update_fields=["pdf_status", "pdf_attempts", "pdf_error"])
    _pdf_render_enqueue(locked.pk)
    _refresh(certificate, locked)
    return locked


# Data rights.


def certificate_data_erase(user: AbstractBaseUser) -> None:
    """Erasure keeps certificates, deliberately.

    An issued certificate may already have been shown to an employer, who must still be able
    to verify it; so it keeps the holder's name as it stood at issue, and its link to the
    (pseudonymised) account. The account itself loses every personal detail, as usual.
    """
    return None
