"""Expiry reminders: the holder and their managers hear 60 and 14 days before a certificate ends.

Run once a day by cron or a systemd timer (``manage.py certificates_send_reminders``), or by
enqueueing ``imh_certificates.tasks_reminders.certificate_reminders_send``; the task backend has
no periodic scheduler of its own.

Rules:

- Only certificates that are valid today (not revoked, not superseded, not yet expired) are
  reminded about, and not once the holder has a newer valid certificate with the same title
  (they have renewed).
- Each (certificate, threshold) is sent at most once: the ``ExpiryReminder`` row is written in
  the same transaction that hands the emails to the mail queue, and its unique constraint
  stops a second run (or a second worker) from sending again.
- Catch-up: if the command did not run for some days, the reminder for the nearest threshold
  that has passed is sent, and only that one. A certificate 10 days from expiry that never had
  its 14-day reminder gets it; one that had neither gets only the 14-day reminder, since a
  "60 days left" email would be wrong by then.
- A threshold counts only if the certificate was issued before it: a certificate valid for
  30 days gets the 14-day reminder but never a 60-day one.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone

from imh_certificates.models import Certificate, CertificateEvent, ExpiryReminder
from imh_core.links import site_url, site_url_for
from imh_core.mail import email_message
from imh_core.people import person_name
from imh_core.site import site_name

logger = logging.getLogger(__name__)

REMINDER_DAYS: tuple[int, ...] = (60, 14)


@dataclass(frozen=True)
class ReminderRun:
    """What one run did: reminders recorded (one per certificate and threshold) and emails."""

    reminders: int = 0
    emails: int = 0


def threshold_due(
    *, certificate: Certificate, today: datetime.date, thresholds: tuple[int, ...] = REMINDER_DAYS
) -> int | None:
    """The threshold whose reminder is due today: the nearest one that has passed, if any."""
    if certificate.expires_on is None:
        return None
    days_left = (certificate.expires_on - today).days
    if days_left < 0:
        return None
    issued_on = timezone.localdate(certificate.issued_at)
    passed = [
        days
        for days in thresholds
        if days_left <= days and issued_on < certificate.expires_on - datetime.timedelta(days=days)
    ]
    return min(passed) if passed else None


def certificates_due_for_reminder(*, today: datetime.date) -> list[tuple[Certificate, int]]:
    """(certificate, threshold) pairs whose reminder has not been sent yet."""
    renewed = Certificate.objects.filter(
        holder_id=OuterRef("holder_id"),
        title=OuterRef("title"),
        status=Certificate.Status.VALID,
        issued_at__gt=OuterRef("issued_at"),
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    candidates = (
        Certificate.objects.filter(
            status=Certificate.Status.VALID,
            expires_on__gte=today,
            expires_on__lte=today + datetime.timedelta(days=max(REMINDER_DAYS)),
        )
        .exclude(Exists(renewed))
        .select_related("holder")
        .prefetch_related("expiry_reminders")
        .order_by("expires_on", "pk")
    )
    due = []
    for certificate in candidates:
        days = threshold_due(certificate=certificate, today=today)
        if days is None:
            continue
        sent = {reminder.days_before for reminder in certificate.expiry_reminders.all()}
        # Once a nearer reminder has gone, a farther one is never sent late.
        if any(earlier <= days for earlier in sent):
            continue
        due.append((certificate, days))
    return due


def _message(*, template: str, to: str, context: dict) -> EmailMultiAlternatives:
    return email_message(
        to=to,
        subject=render_to_string(f"imh_certificates/email/{template}_subject.txt", context),
        template=f"imh_certificates/email/{template}.txt",
        html_template=f"imh_certificates/email/{template}.html",
        context=context,
    )


def _managers(holder: object) -> list:
    try:
        from imh_certificates.policies import managers_of
    except ImportError:  # pragma: no cover - the host app provides no managers
        return []
    return [
        manager
        for manager in managers_of(holder)
        if getattr(manager, "is_active", True) and getattr(manager, "email", "")
    ]


def reminder_messages(
    *, certificate: Certificate, days: int, today: datetime.date | None = None
) -> list[EmailMultiAlternatives]:
    """The email to the holder and one to each of their managers, naming the staff member."""
    context = {
        "site_name": site_name(),
        "site_url": site_url("/"),
        "portfolio_url": site_url_for("imh_certificates:portfolio", fallback="/"),
        "certificate": certificate,
        "days": days,
        "days_left": max((certificate.expires_on - (today or timezone.localdate())).days, 0),
        "holder_name": certificate.holder_name or person_name(certificate.holder),
    }
    messages = []
    if certificate.holder.email:
        messages.append(
            _message(template="expiry_reminder", to=certificate.holder.email, context=context)
        )
    for manager in _managers(certificate.holder):
        if manager.pk == certificate.holder_id:
            continue
        messages.append(
            _message(
                template="expiry_reminder_manager",
                to=manager.email,
                context={**context, "manager_name": person_name(manager)},
            )
        )
    return messages


def reminder_send(
    *, certificate: Certificate, days: int, today: datetime.date | None = None
) -> int | None:
    """Record and send one reminder: the number of emails, or None if it was already sent.

    The row and the queued emails commit together: with the database task backend a failure
    leaves neither, so the next run tries again, and the unique row stops any second send.
    """
    try:
        with transaction.atomic():
            locked = (
                Certificate.objects.select_for_update(of=("self",))
                .select_related("holder")
                .get(pk=certificate.pk)
            )
            if locked.status != Certificate.Status.VALID:
                return None
            # A nearer reminder already sent makes this one (and any farther one) moot.
            if ExpiryReminder.objects.filter(certificate=locked, days_before__lte=days).exists():
                return None
            ExpiryReminder.objects.create(certificate=locked, days_before=days)
            messages = reminder_messages(certificate=locked, days=days, today=today)
            CertificateEvent.objects.create(
                certificate=locked,
                action=CertificateEvent.Action.REMINDER_SENT,
                detail=f"{days}-day reminder sent to {len(messages)} recipient(s).",
            )
            for message in messages:
                message.send()
    except IntegrityError:
        # Another run recorded this reminder first.
        return None
    return len(messages)


def reminders_send(*, today: datetime.date | None = None) -> ReminderRun:
    """Send every reminder due today; safe to run any number of times a day."""
    today = today or timezone.localdate()
    reminders = emails = 0
    for certificate, days in certificates_due_for_reminder(today=today):
        try:
            sent = reminder_send(certificate=certificate, days=days, today=today)
        except Exception:
            # One bad address or template must not stop everyone else's reminders.
            logger.exception("Expiry reminder for certificate %s failed", certificate.pk)
            continue
        if sent is not None:
            reminders += 1
            emails += sent
    return ReminderRun(reminders=reminders, emails=emails)
