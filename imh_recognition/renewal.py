"""Renewal and lapse of recognitions, the person's consent to be listed, and revocation.

Run once a day (the ``recognition-renewals`` schedule, or ``manage.py recognition_renewals``):

- Reminders: the person hears ``IMH_RECOGNITION_REMINDER_DAYS`` days before ``valid_until``
  (90, 30 and 7 by default). Each offset is recorded in ``Recognition.reminders_sent`` in the
  transaction that queues the email, under a row lock, so it is never sent twice. If the job
  did not run for some days only the nearest offset that has passed is sent; a farther one is
  never sent late, and an offset that was already passed when the recognition was granted is
  never sent at all.
- Lapse: an active recognition whose ``valid_until`` has passed becomes ``lapsed`` the day
  after, and the person is told. It leaves the register at once (the register also checks the
  date), and verifies as lapsed.

Emails go through ``imh_core.mail.email_send`` after the transaction commits.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from imh_core.conf import imh_setting
from imh_core.links import site_url, site_url_for
from imh_core.mail import email_send
from imh_core.people import person_name
from imh_recognition.models import OPEN_STATUSES, Application, Recognition

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RenewalRun:
    """What one run did."""

    reminders: int = 0
    lapsed: int = 0


def reminder_days() -> tuple[int, ...]:
    """The reminder offsets in days before ``valid_until``, farthest first, each once."""
    days = {int(d) for d in imh_setting("IMH_RECOGNITION_REMINDER_DAYS") if int(d) >= 0}
    return tuple(sorted(days, reverse=True))


# Reminders --------------------------------------------------------------------------------


def reminder_due(
    *, recognition: Recognition, today: datetime.date, offsets: tuple[int, ...] | None = None
) -> int | None:
    """The offset whose reminder is due today (the nearest that has passed), or None."""
    offsets = reminder_days() if offsets is None else offsets
    if recognition.status != Recognition.Status.ACTIVE:
        return None
    days_left = (recognition.valid_until - today).days
    if days_left < 0:
        return None
    passed = [
        days
        for days in offsets
        if days_left <= days
        and recognition.granted_on < recognition.valid_until - datetime.timedelta(days=days)
    ]
    if not passed:
        return None
    due = min(passed)
    # Once a nearer (or the same) reminder has gone, a farther one is never sent.
    if any(int(sent) <= due for sent in recognition.reminders_sent or []):
        return None
    return due


def recognitions_due_for_reminder(*, today: datetime.date) -> list[tuple[Recognition, int]]:
    offsets = reminder_days()
    if not offsets:
        return []
    candidates = (
        Recognition.objects.filter(
            status=Recognition.Status.ACTIVE,
            valid_until__gte=today,
            valid_until__lte=today + datetime.timedelta(days=max(offsets)),
        )
        .select_related("person", "scheme__framework")
        .order_by("valid_until", "pk")
    )
    due = []
    for recognition in candidates:
        days = reminder_due(recognition=recognition, today=today, offsets=offsets)
        if days is not None:
            due.append((recognition, days))
    return due


def _context(recognition: Recognition, **extra) -> dict:
    return {
        "recognition": recognition,
        "person_name": recognition.display_name or person_name(recognition.person),
        "level_label": recognition.scheme.framework.level_label(recognition.level),
        "recognition_url": site_url_for(
            "imh_recognition:recognition_mine", recognition.pk, fallback="/"
        ),
        "verification_url": site_url_for(
            "imh_recognition:verify_code", recognition.code, fallback="/"
        ),
        "site_url": site_url("/"),
        **extra,
    }


def _email(*, recognition: Recognition, template: str, subject: str, context: dict) -> int:
    if not recognition.person.email:
        return 0
    return email_send(
        to=recognition.person.email,
        subject=subject,
        template=f"imh_recognition/register/email/{template}.txt",
        html_template=f"imh_recognition/register/email/{template}.html",
        context=context,
    )


@transaction.atomic
def reminder_send(*, recognition: Recognition, days: int, today: datetime.date) -> bool:
    """Record and send one reminder; False if it was no longer due (sent by another run)."""
    locked = (
        Recognition.objects.select_for_update(of=("self",))
        .select_related("person", "scheme__framework")
        .get(pk=recognition.pk)
    )
    if reminder_due(recognition=locked, today=today, offsets=(days,)) != days:
        return False
    if any(int(sent) <= days for sent in locked.reminders_sent or []):
        return False
    locked.reminders_sent = sorted({*map(int, locked.reminders_sent or []), days}, reverse=True)
    locked.save(update_fields=["reminders_sent"])
    days_left = (locked.valid_until - today).days
    _email(
        recognition=locked,
        template="renewal_reminder",
        subject=gettext("Your recognition at %(level)s ends on %(date)s")
        % {
            "level": locked.scheme.title,
            "date": date_format(locked.valid_until, "j F Y"),
        },
        context=_context(
            locked,
            days_left=days_left,
            renewal_open=recognition_can_renew(locked, today=today),
        ),
    )
    return True


# Lapse ------------------------------------------------------------------------------------


@transaction.atomic
def recognition_lapse(*, recognition: Recognition, today: datetime.date) -> bool:
    """Mark one recognition lapsed if it is still active and out of date; email the person."""
    locked = (
        Recognition.objects.select_for_update(of=("self",))
        .select_related("person", "scheme__framework")
        .get(pk=recognition.pk)
    )
    if locked.status != Recognition.Status.ACTIVE or locked.valid_until >= today:
        return False
    locked.status = Recognition.Status.LAPSED
    locked.save(update_fields=["status"])
    _email(
        recognition=locked,
        template="lapsed",
        subject=gettext("Your recognition at %(level)s has lapsed")
        % {"level": locked.scheme.title},
        context=_context(locked, renewal_open=recognition_can_renew(locked, today=today)),
    )
    return True


def renewals_run(*, today: datetime.date | None = None) -> RenewalRun:
    """Send the reminders due today and lapse what has run out; safe to run any number of
    times a day."""
    today = today or timezone.localdate()
    lapsed = 0
    expired = Recognition.objects.filter(
        status=Recognition.Status.ACTIVE, valid_until__lt=today
    ).order_by("valid_until", "pk")
    for recognition in expired:
        try:
            lapsed += recognition_lapse(recognition=recognition, today=today)
        except Exception:
            # One bad record or address must not stop everyone else's.
            logger.exception("Lapsing recognition %s failed", recognition.pk)
    reminders = 0
    for recognition, days in recognitions_due_for_reminder(today=today):
        try:
            reminders += reminder_send(recognition=recognition, days=days, today=today)
        except Exception:
            logger.exception("Renewal reminder for recognition %s failed", recognition.pk)
    return RenewalRun(reminders=reminders, lapsed=lapsed)


# Consent to be listed ---------------------------------------------------------------------


def recognition_for_person(*, person: Any, pk: int) -> Recognition:
    """The person's own recognition, or ``Recognition.DoesNotExist``."""
    return Recognition.objects.select_related("scheme__framework", "application").get(
        pk=pk, person=person
    )


@transaction.atomic
def recognition_set_public(
    *, person: Any, recognition: Recognition, public: bool, display_name: str | None = None
) -> Recognition:
    """The person lists or unlists themselves (and may correct their name on the register).

    Only the person may do this. ``public_changed_at`` records when consent last changed;
    withdrawing consent takes the entry off the register at once.
    """
    if recognition.person_id != getattr(person, "pk", None):
        raise PermissionDenied(gettext("Only the person recognised can change this."))
    locked = Recognition.objects.select_for_update().get(pk=recognition.pk)
    fields = []
    if display_name is not None:
        name = " ".join(display_name.split())
        if not name:
            raise ValidationError(
                {"display_name": gettext("Enter your name as it should appear on the register")}
            )
        if name != locked.display_name:
            locked.display_name = name
            fields.append("display_name")
    if bool(public) != locked.public:
        locked.public = bool(public)
        locked.public_changed_at = timezone.now()
        fields += ["public", "public_changed_at"]
    if fields:
        locked.save(update_fields=fields)
    return locked


# Renewal ----------------------------------------------------------------------------------


def renewal_opens_on(recognition: Recognition) -> datetime.date:
    return recognition.valid_until - datetime.timedelta(days=recognition.scheme.renewal_window_days)


def renewal_open_application(recognition: Recognition) -> Application | None:
    """An unfinished renewal of this recognition, if the person has started one."""
    return (
        Application.objects.filter(renews=recognition, status__in=OPEN_STATUSES)
        .order_by("-pk")
        .first()
    )


def recognition_can_renew(recognition: Recognition, *, today: datetime.date | None = None) -> bool:
    """Whether the person may start a renewal now: inside the renewal window before
    ``valid_until``, or after it has lapsed, while the scheme is open."""
    today = today or timezone.localdate()
    if not recognition.scheme.open:
        return False
    if recognition.status == Recognition.Status.LAPSED:
        return True
    return recognition.status == Recognition.Status.ACTIVE and today >= renewal_opens_on(
        recognition
    )


def recognition_renewal_start(
    *, person: Any, recognition: Recognition, today: datetime.date | None = None
) -> Application:
    """Start (or return the unfinished) renewal application for the person's recognition."""
    if recognition.person_id != getattr(person, "pk", None):
        raise PermissionDenied(gettext("Only the person recognised can renew this."))
    existing = renewal_open_application(recognition)
    if existing is not None:
        return existing
    if not recognition_can_renew(recognition, today=today):
        if not recognition.scheme.open:
            raise ValidationError(gettext("This scheme is not taking applications at the moment."))
        if recognition.status in (Recognition.Status.ACTIVE,):
            raise ValidationError(
                gettext("You can apply to renew from %(date)s.")
                % {"date": date_format(renewal_opens_on(recognition), "j F Y")}
            )
        raise ValidationError(gettext("This recognition cannot be renewed."))
    from imh_recognition.services import application_start

    return application_start(
        applicant=person, scheme=recognition.scheme, kind="renewal", renews=recognition
    )


# Revocation -------------------------------------------------------------------------------


@transaction.atomic
def recognition_revoke(*, assessor: Any, recognition: Recognition, reason: str) -> Recognition:
    """An assessor revokes a recognition, with a reason; it verifies as revoked from now on."""
    from imh_recognition.roles import user_is_assessor

    if not user_is_assessor(assessor):
        raise PermissionDenied(gettext("Only recognition assessors can revoke a recognition."))
    if recognition.person_id == getattr(assessor, "pk", None):
        raise PermissionDenied(gettext("You cannot revoke your own recognition."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("Enter the reason for revoking")})
    locked = (
        Recognition.objects.select_for_update(of=("self",))
        .select_related("person", "scheme__framework")
        .get(pk=recognition.pk)
    )
    if locked.status == Recognition.Status.REVOKED:
        raise ValidationError(gettext("This recognition is already revoked."))
    locked.status = Recognition.Status.REVOKED
    locked.revoked_reason = reason
    locked.revoked_at = timezone.now()
    locked.revoked_by = assessor
    locked.save(update_fields=["status", "revoked_reason", "revoked_at", "revoked_by"])
    _email(
        recognition=locked,
        template="revoked",
        subject=gettext("Your recognition at %(level)s has been revoked")
        % {"level": locked.scheme.title},
        context=_context(locked, reason=reason),
    )
    logger.info("Recognition %s revoked by user %s", locked.pk, getattr(assessor, "pk", None))
    return locked
