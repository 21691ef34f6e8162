"""Writes for recognition applications: every transition an application goes through.

draft → submitted (the applicant submits) → more_info (an assessor asks for more) →
submitted (the applicant answers) → approved or declined (an assessor decides). The applicant
may withdraw while it is open. Approval grants a ``Recognition``. Each service checks who is
acting and what state the application is in, and raises ``ValidationError`` (or
``PermissionDenied``) with a message the person can act on; the database constraints back
them up.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imh_core.links import site_url_for
from imh_core.mail import email_send
from imh_core.people import person_name
from imh_recognition import evidence as evidence_sources
from imh_recognition.models import (
    OPEN_STATUSES,
    Application,
    AreaOfPractice,
    CompetencyStatement,
    EvidenceItem,
    Message,
    Recognition,
    Region,
    Scheme,
)
from imh_recognition.roles import assessors_group_name, user_is_assessor
from imh_recognition.selectors import application_requirements

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

STATEMENT_MAX_LENGTH = 10_000
MESSAGE_MAX_LENGTH = 10_000


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved on by ``months`` calendar months, kept within the month it lands in."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


# Who may act.


def _require_applicant(application: Application, actor: AbstractBaseUser) -> None:
    if application.applicant_id != actor.pk:
        raise PermissionDenied(_("Only the applicant can do this."))


def _require_assessor(application: Application, actor: AbstractBaseUser) -> None:
    if not user_is_assessor(actor):
        raise PermissionDenied(_("Only recognition assessors can review applications."))
    if application.applicant_id == actor.pk:
        raise PermissionDenied(
            _("You cannot review your own application: another assessor must do it.")
        )


def _lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update()
        .select_related("scheme__framework")
        .get(pk=application.pk)
    )


def _require_status(application: Application, *statuses: str, message: str) -> None:
    if application.status not in statuses:
        raise ValidationError(message, code="wrong_status")


def _clean_text(text: str | None, *, field: str, required_message: str | None = None) -> str:
    text = (text or "").strip()
    if required_message and not text:
        raise ValidationError({field: required_message}, code="required")
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {field: _("Keep it under %(count)s characters.") % {"count": MESSAGE_MAX_LENGTH}},
            code="too_long",
        )
    return text


# Emails.


def _application_url(application: Application) -> str:
    return site_url_for("imh_recognition:application", application.pk)


def _review_url(application: Application) -> str:
    return site_url_for("recognition_review:review", application.pk)


def _email_applicant(
    application: Application, *, template: str, subject: str, **context: Any
) -> None:
    email_send(
        to=application.applicant.email,
        subject=subject,
        template=template,
        context={
            "person_name": person_name(application.applicant),
            "application": application,
            "scheme": application.scheme,
            "url": _application_url(application),
            **context,
        },
    )


def _assessor_emails(exclude: AbstractBaseUser) -> list[str]:
    name = assessors_group_name()
    if not name:
        return []
    User = get_user_model()
    return sorted(
        {
            email
            for email in User.objects.filter(groups__name=name, is_active=True)
            .exclude(pk=exclude.pk)
            .values_list("email", flat=True)
            if email
        }
    )


def _email_assessors(application: Application, *, resubmitted: bool) -> None:
    addresses = _assessor_emails(application.applicant)
    if not addresses:
        return
    subject = (
        _("An application for recognition has been answered: %(scheme)s")
        if resubmitted
        else _("A new application for recognition: %(scheme)s")
    ) % {"scheme": application.scheme.title}
    email_send(
        to=addresses,
        subject=subject,
        template="imh_recognition/email/application_submitted.txt",
        context={
            "applicant_name": person_name(application.applicant),
            "application": application,
            "scheme": application.scheme,
            "resubmitted": resubmitted,
            "url": _review_url(application),
        },
    )


# Starting and editing.


@transaction.atomic
def application_start(
    *,
    applicant: AbstractBaseUser,
    scheme: Scheme,
    kind: str = Application.Kind.NEW,
    renews: Recognition | None = None,
) -> Application:
    """A draft application with the applicant's evidence gathered.

    A renewal names the recognition it renews (the applicant's own, for the same scheme,
    active or lapsed); a new application needs the scheme open and no active recognition
    for it already. One open application per person and scheme.
    """
    if kind == Application.Kind.RENEWAL:
        if renews is None:
            raise ValidationError(_("Say which recognition this renews."), code="renews_required")
        if renews.person_id != applicant.pk or renews.scheme_id != scheme.pk:
            raise ValidationError(
                _("You can only renew your own recognition, for the same scheme."),
                code="renews_mismatch",
            )
        if renews.status not in (Recognition.Status.ACTIVE, Recognition.Status.LAPSED):
            raise ValidationError(
                _("This recognition can no longer be renewed: it was %(status)s.")
                % {"status": renews.get_status_display().lower()},
                code="renews_status",
            )
    elif kind == Application.Kind.NEW:
        if renews is not None:
            raise ValidationError(_("A new application renews nothing."), code="renews_new")
        if not scheme.open:
            raise ValidationError(
                _("“%(scheme)s” is not open for applications.") % {"scheme": scheme.title},
                code="scheme_closed",
            )
        if Recognition.objects.filter(
            person=applicant, scheme=scheme, status=Recognition.Status.ACTIVE
        ).exists():
            raise ValidationError(
                _("You already hold “%(scheme)s”: renew it instead.") % {"scheme": scheme.title},
                code="already_recognised",
            )
    else:
        raise ValidationError(_("Unknown kind of application."), code="kind_invalid")
    if Application.objects.filter(
        applicant=applicant, scheme=scheme, status__in=OPEN_STATUSES
    ).exists():
        raise ValidationError(
            _("You already have an open application for “%(scheme)s”.") % {"scheme": scheme.title},
            code="already_open",
        )
    application = Application.objects.create(
        applicant=applicant,
        scheme=scheme,
        kind=kind,
        renews=renews,
        area_of_practice=renews.area_of_practice if renews else "",
        region=renews.region if renews else "",
        public_consent_requested=renews.public if renews else False,
    )
    application_refresh_evidence(application=application)
    return application


@transaction.atomic
def application_update(
    *,
    application: Application,
    applicant: AbstractBaseUser,
    area_of_practice: str,
    region: str,
    statement: str,
    public_consent_requested: bool,
    competency_statements: dict[int, str] | None = None,
    excluded_item_ids: Iterable[int] | None = None,
) -> Application:
    """The applicant's changes to a draft, or to an application an assessor asked more of.

    ``competency_statements`` maps competency ids (of the scheme's framework) to text; an
    empty text removes that statement. ``excluded_item_ids`` are the evidence items the
    applicant leaves out; every other item is included.
    """
    _require_applicant(application, applicant)
    locked = _lock(application)
    if not locked.is_editable:
        raise ValidationError(
            _("This application can no longer be changed: it is %(status)s.")
            % {"status": locked.get_status_display().lower()},
            code="not_editable",
        )
    errors: dict[str, str] = {}
    if area_of_practice and area_of_practice not in AreaOfPractice.values:
        errors["area_of_practice"] = _("Choose an area of practice from the list.")
    if region and region not in Region.values:
        errors["region"] = _("Choose a region from the list.")
    statement = (statement or "").strip()
    if len(statement) > STATEMENT_MAX_LENGTH:
        errors["statement"] = _("Keep your statement under %(count)s characters.") % {
            "count": STATEMENT_MAX_LENGTH
        }
    if errors:
        raise ValidationError(errors)
    locked.area_of_practice = area_of_practice
    locked.region = region
    locked.statement = statement
    locked.public_consent_requested = bool(public_consent_requested)
    locked.save()

    if competency_statements is not None:
        allowed = set(
            locked.scheme.framework.competencies.filter(pk__in=competency_statements).values_list(
                "pk", flat=True
            )
        )
        for competency_id, text in competency_statements.items():
            if competency_id not in allowed:
                raise ValidationError(
                    _("That competency is not part of this scheme's framework."),
                    code="competency_invalid",
                )
            text = (text or "").strip()
            if len(text) > STATEMENT_MAX_LENGTH:
                raise ValidationError(
                    _("Keep each competency statement under %(count)s characters.")
                    % {"count": STATEMENT_MAX_LENGTH},
                    code="too_long",
                )
            if text:
                CompetencyStatement.objects.update_or_create(
                    application=locked, competency_id=competency_id, defaults={"text": text}
                )
            else:
                CompetencyStatement.objects.filter(
                    application=locked, competency_id=competency_id
                ).delete()

    if excluded_item_ids is not None:
        excluded = {int(pk) for pk in excluded_item_ids}
        items = locked.evidence_items.all()
        items.filter(pk__in=excluded).update(included=False)
        items.exclude(pk__in=excluded).update(included=True)
    return locked


@transaction.atomic
def application_refresh_evidence(*, application: Application) -> Application:
    """Rebuild the application's evidence snapshot from its sources.

    Items the applicant left out stay left out (matched by source and competency); items
    whose source has gone disappear. A renewal only gathers evidence since the recognition
    it renews was granted.
    """
    locked = _lock(application)
    if locked.status not in OPEN_STATUSES:
        raise ValidationError(
            _("Evidence can only be refreshed while the application is open."), code="closed"
        )
    excluded = {
        (item.source_type, item.source_id, item.competency_id, item.kind)
        for item in locked.evidence_items.filter(included=False)
    }
    since = locked.renews.granted_on if locked.renews_id else None
    gathered = evidence_sources.gather(user=locked.applicant, scheme=locked.scheme, since=since)
    locked.evidence_items.all().delete()
    EvidenceItem.objects.bulk_create(
        [
            EvidenceItem(
                application=locked,
                competency_id=item.competency_id,
                kind=item.kind,
                title=item.title[:255],
                occurred_on=item.occurred_on,
                detail=item.detail,
                hours=item.hours,
                url=item.url[:500],
                source_type=item.source_type,
                source_id=item.source_id,
                included=(item.source_type, item.source_id, item.competency_id, item.kind)
                not in excluded,
            )
            for item in gathered
        ]
    )
    locked.save(update_fields=["updated_at"])
    return locked


# The applicant's transitions.


def _require_requirements_met(application: Application) -> None:
    requirements = application_requirements(application=application)
    if not requirements.all_met:
        raise ValidationError(
            [str(line) for line in requirements.unmet_messages()], code="requirements_not_met"
        )


def _require_ready(application: Application) -> None:
    errors: dict[str, str] = {}
    if not application.area_of_practice:
        errors["area_of_practice"] = _("Choose your area of practice.")
    if not application.region:
        errors["region"] = _("Choose the region you work in.")
    if not application.statement.strip():
        errors["statement"] = _(
            "Write your statement: how your practice meets this level of the framework."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def application_submit(*, application: Application, applicant: AbstractBaseUser) -> Application:
    """Send a draft to the assessors, with its evidence as it stands now.

    The scheme's requirements (supervision hours, a current reliability result, how many
    competencies have evidence) must be met: an application without them could only be
    declined, so the page shows what is missing instead.
    """
    _require_applicant(application, applicant)
    locked = _lock(application)
    _require_status(
        locked,
        Application.Status.DRAFT,
        message=_("Only a draft can be submitted; this application is %(status)s.")
        % {"status": locked.get_status_display().lower()},
    )
    _require_ready(locked)
    application_refresh_evidence(application=locked)
    _require_requirements_met(locked)
    locked.status = Application.Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.save()
    _email_assessors(locked, resubmitted=False)
    return locked


@transaction.atomic
def application_respond(
    *, application: Application, applicant: AbstractBaseUser, text: str
) -> Application:
    """The applicant answers an assessor's request and sends the application back."""
    _require_applicant(application, applicant)
    locked = _lock(application)
    _require_status(
        locked,
        Application.Status.MORE_INFO,
        message=_("Nobody has asked for more on this application."),
    )
    text = _clean_text(text, field="text", required_message=_("Write your answer to the assessor."))
    _require_ready(locked)
    application_refresh_evidence(application=locked)
    _require_requirements_met(locked)
    Message.objects.create(
        application=locked, author=applicant, kind=Message.Kind.RESPONSE, text=text
    )
    locked.status = Application.Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.save()
    _email_assessors(locked, resubmitted=True)
    return locked


@transaction.atomic
def application_withdraw(*, application: Application, applicant: AbstractBaseUser) -> Application:
    _require_applicant(application, applicant)
    locked = _lock(application)
    _require_status(
        locked,
        *OPEN_STATUSES,
        message=_("Only an open application can be withdrawn; this one is %(status)s.")
        % {"status": locked.get_status_display().lower()},
    )
    locked.status = Application.Status.WITHDRAWN
    locked.save()
    return locked


# The assessor's transitions.


@transaction.atomic
def application_request_more(
    *, application: Application, assessor: AbstractBaseUser, text: str
) -> Application:
    """Ask the applicant for more; they are emailed the request."""
    _require_assessor(application, assessor)
    locked = _lock(application)
    _require_status(
        locked,
        Application.Status.SUBMITTED,
        message=_("You can only ask for more on a submitted application."),
    )
    text = _clean_text(
        text,
        field="text",
        required_message=_("Say what the applicant needs to add or explain."),
    )
    Message.objects.create(
        application=locked, author=assessor, kind=Message.Kind.REQUEST, text=text
    )
    locked.status = Application.Status.MORE_INFO
    locked.save()
    _email_applicant(
        locked,
        template="imh_recognition/email/more_info.txt",
        subject=_("An assessor has asked for more on your application: %(scheme)s")
        % {"scheme": locked.scheme.title},
        text=text,
    )
    return locked


@transaction.atomic
def application_note(*, application: Application, assessor: AbstractBaseUser, text: str) -> Message:
    """An internal note between assessors; the applicant never sees it."""
    _require_assessor(application, assessor)
    text = _clean_text(text, field="text", required_message=_("Write the note."))
    return Message.objects.create(
        application=application, author=assessor, kind=Message.Kind.NOTE, text=text
    )


def _recognition_dates(
    application: Application, today: datetime.date
) -> tuple[datetime.date, datetime.date]:
    start = today
    if application.renews_id and application.renews.valid_until >= today:
        # Renewed early: the new period runs on from the end of the old one.
        start = application.renews.valid_until
    return today, add_months(start, application.scheme.validity_months)


@transaction.atomic
def application_approve(
    *, application: Application, assessor: AbstractBaseUser, reason: str = ""
) -> Recognition:
    """Approve and grant recognition; a renewal supersedes the recognition it renews."""
    _require_assessor(application, assessor)
    locked = _lock(application)
    _require_status(
        locked,
        Application.Status.SUBMITTED,
        message=_("Only a submitted application can be approved; this one is %(status)s.")
        % {"status": locked.get_status_display().lower()},
    )
    reason = _clean_text(reason, field="reason")
    now = timezone.now()
    today = timezone.localdate(now)
    granted_on, valid_until = _recognition_dates(locked, today)
    if locked.renews_id:
        old = Recognition.objects.select_for_update().get(pk=locked.renews_id)
        if old.status not in (Recognition.Status.ACTIVE, Recognition.Status.LAPSED):
            raise ValidationError(
                _("The recognition this renews was %(status)s; it cannot be renewed.")
                % {"status": old.get_status_display().lower()},
                code="renews_status",
            )
        old.status = Recognition.Status.SUPERSEDED
        old.save(update_fields=["status"])
    locked.status = Application.Status.APPROVED
    locked.decided_at = now
    locked.decided_by = assessor
    locked.decision_reason = reason
    locked.save()
    Message.objects.create(
        application=locked,
        author=assessor,
        kind=Message.Kind.DECISION,
        text=reason or _("Approved."),
    )
    recognition = Recognition.objects.create(
        person=locked.applicant,
        scheme=locked.scheme,
        application=locked,
        level=locked.scheme.level,
        area_of_practice=locked.area_of_practice,
        region=locked.region,
        display_name=person_name(locked.applicant, email_fallback=False),
        granted_on=granted_on,
        valid_until=valid_until,
        public=locked.public_consent_requested,
        public_changed_at=now if locked.public_consent_requested else None,
    )
    _email_applicant(
        locked,
        template="imh_recognition/email/approved.txt",
        subject=_("Your application for recognition is approved: %(scheme)s")
        % {"scheme": locked.scheme.title},
        recognition=recognition,
        reason=reason,
    )
    return recognition


@transaction.atomic
def application_decline(
    *, application: Application, assessor: AbstractBaseUser, reason: str
) -> Application:
    """Decline with a reason, which the applicant is emailed."""
    _require_assessor(application, assessor)
    locked = _lock(application)
    _require_status(
        locked,
        Application.Status.SUBMITTED,
        Application.Status.MORE_INFO,
        message=_("Only an application under review can be declined; this one is %(status)s.")
        % {"status": locked.get_status_display().lower()},
    )
    reason = _clean_text(
        reason,
        field="reason",
        required_message=_("Give the reason, so the applicant knows what to do next."),
    )
    locked.status = Application.Status.DECLINED
    locked.decided_at = timezone.now()
    locked.decided_by = assessor
    locked.decision_reason = reason
    locked.save()
    Message.objects.create(
        application=locked, author=assessor, kind=Message.Kind.DECISION, text=reason
    )
    _email_applicant(
        locked,
        template="imh_recognition/email/declined.txt",
        subject=_("Your application for recognition was not approved: %(scheme)s")
        % {"scheme": locked.scheme.title},
        reason=reason,
    )
    return locked


# Data rights.


@transaction.atomic
def recognition_data_erase_for_user(*, user: AbstractBaseUser) -> None:
    """Erasing a person removes their applications and any recognition they were granted.

    Their messages on other people's applications (as an assessor) stay, without an author.
    """
    Recognition.objects.filter(person=user).delete()
    Application.objects.filter(applicant=user).delete()
