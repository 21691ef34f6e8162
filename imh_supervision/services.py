"""Writes for supervision: pairs, sessions, confirmations, evidence and people's data.

A session counts (hours, evidence) only once the supervisor and every supervisee have
confirmed it. Recording or editing a session confirms it for the person who did so and asks
everyone else again; a dispute (with a reason) stops it counting until it is edited.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from imh_competencies.models import Competency, Evidence
from imh_competencies.services import evidence_record, evidence_withdraw
from imh_core.links import path_for, site_url_for
from imh_core.mail import email_send
from imh_core.people import person_name
from imh_organisations.models import Membership, Organisation
from imh_organisations.selectors import user_is_manager_of
from imh_supervision.models import (
    DURATION_MAX_MINUTES,
    DURATION_MIN_MINUTES,
    Participant,
    SupervisionPair,
    SupervisionSession,
    Theme,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

# Supervision is evidence of practice at the framework's first level; assessors judge more.
EVIDENCE_LEVEL = 1


def user_may_manage_pairs(*, actor: AbstractBaseUser, organisation: Organisation) -> bool:
    """Managers of the organisation, and educators or administrators with the permission."""
    if not getattr(actor, "is_authenticated", False):
        return False
    return actor.has_perm("imh_supervision.add_supervisionpair") or user_is_manager_of(
        user=actor, organisation=organisation
    )


def _require_pair_manager(*, actor: AbstractBaseUser, organisation: Organisation) -> None:
    if not user_may_manage_pairs(actor=actor, organisation=organisation):
        raise PermissionDenied(
            _("Only a manager of %(organisation)s can do this.")
            % {"organisation": organisation.name}
        )


# Pairs.


@transaction.atomic
def pair_create(
    *,
    organisation: Organisation,
    supervisor: AbstractBaseUser,
    supervisee: AbstractBaseUser,
    actor: AbstractBaseUser,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
) -> SupervisionPair:
    """Pair a named supervisor with an active member of the same organisation."""
    _require_pair_manager(actor=actor, organisation=organisation)
    pair = SupervisionPair(
        organisation=organisation,
        supervisor=supervisor,
        supervisee=supervisee,
        starts_on=starts_on or timezone.localdate(),
        ends_on=ends_on,
        is_active=True,
        created_by=actor,
    )
    pair.full_clean()
    pair.save()
    return pair


@transaction.atomic
def pair_end(
    *, pair: SupervisionPair, actor: AbstractBaseUser, ends_on: datetime.date | None = None
) -> SupervisionPair:
    """End a pair; its sessions and hours are kept."""
    _require_pair_manager(actor=actor, organisation=pair.organisation)
    locked = SupervisionPair.objects.select_for_update().get(pk=pair.pk)
    if not locked.is_active:
        return locked
    ends_on = ends_on or timezone.localdate()
    if ends_on < locked.starts_on:
        raise ValidationError(
            {"ends_on": _("The end date must be on or after the start date.")}, code="ends_before"
        )
    locked.is_active = False
    locked.ends_on = ends_on
    locked.save(update_fields=["is_active", "ends_on"])
    return locked


# Sessions.


def _validate_details(
    *,
    kind: str,
    held_on: datetime.date,
    duration_minutes: int,
    themes: Sequence[str],
    supervisees: Sequence[AbstractBaseUser],
) -> None:
    errors: dict[str, str] = {}
    if kind not in SupervisionSession.Kind.values:
        errors["kind"] = _("Choose one-to-one or group.")
    elif kind == SupervisionSession.Kind.ONE_TO_ONE and len(supervisees) != 1:
        errors["supervisees"] = _("Choose one supervisee for a one-to-one session.")
    elif kind == SupervisionSession.Kind.GROUP and len(supervisees) < 2:
        errors["supervisees"] = _("Choose at least 2 supervisees for a group session.")
    if held_on is None:
        errors["held_on"] = _("Enter the date of the session.")
    elif held_on > timezone.localdate():
        errors["held_on"] = _("The date of the session must be today or in the past.")
    if not (DURATION_MIN_MINUTES <= (duration_minutes or 0) <= DURATION_MAX_MINUTES):
        errors["duration_minutes"] = _(
            "Enter a duration between 15 minutes and 8 hours (480 minutes)."
        )
    if any(code not in Theme.values for code in themes):
        errors["themes"] = _("Choose themes from the list.")
    if errors:
        raise ValidationError(errors)


def _session_organisation(
    *, supervisor: AbstractBaseUser, supervisees: Sequence[AbstractBaseUser]
) -> Organisation:
    """The one organisation where ``supervisor`` actively supervises every supervisee."""
    organisation_ids: set[int] | None = None
    for supervisee in supervisees:
        ids = set(
            SupervisionPair.objects.filter(
                supervisor=supervisor, supervisee=supervisee, is_active=True
            ).values_list("organisation_id", flat=True)
        )
        organisation_ids = ids if organisation_ids is None else organisation_ids & ids
    if not organisation_ids:
        raise ValidationError(
            {"supervisees": _("Choose people this supervisor supervises in one organisation.")},
            code="not_paired",
        )
    return Organisation.objects.get(pk=min(organisation_ids))


def _require_participant(*, session: SupervisionSession, actor: AbstractBaseUser) -> Participant:
    participant = session.participants.filter(user=actor).first()
    if participant is None:
        raise PermissionDenied(_("Only the people in this session can do this."))
    return participant


def _evidence_sync(session: SupervisionSession) -> None:
    """Confirmed: evidence for each supervisee; otherwise none."""
    supervisees = [p.user for p in session.participants.filter(role=Participant.Role.SUPERVISEE)]
    if session.confirmed_at is None:
        for supervisee in supervisees:
            evidence_withdraw(user=supervisee, source=session)
        return
    competencies = [(competency, EVIDENCE_LEVEL) for competency in session.competencies.all()]
    title = _("%(kind)s reflective supervision with %(supervisor)s") % {
        "kind": session.get_kind_display(),
        "supervisor": person_name(session.supervisor),
    }
    for supervisee in supervisees:
        evidence_record(
            user=supervisee,
            source=session,
            kind=Evidence.Kind.SUPERVISION,
            competencies=competencies,
            occurred_on=session.held_on,
            title=title,
            url=path_for("imh_supervision:session_detail", session.pk),
            recorded_by=session.supervisor,
        )


def _settle(session: SupervisionSession) -> None:
    """Mark the session confirmed when everyone has confirmed, and keep evidence in step."""
    statuses = set(session.participants.values_list("status", flat=True))
    confirmed = statuses == {Participant.Status.CONFIRMED}
    if confirmed and session.confirmed_at is None:
        session.confirmed_at = timezone.now()
        session.save(update_fields=["confirmed_at"])
    elif not confirmed and session.confirmed_at is not None:
        session.confirmed_at = None
        session.save(update_fields=["confirmed_at"])
    _evidence_sync(session)


def _notify_others(*, session: SupervisionSession, actor: AbstractBaseUser, edited: bool) -> None:
    others = session.participants.exclude(user=actor).select_related("user")
    url = site_url_for("imh_supervision:session_detail", session.pk)
    for participant in others:
        email_send(
            to=participant.user.email,
            subject=_("Please confirm a supervision session"),
            template="imh_supervision/email/confirm_request.txt",
            context={
                "person_name": person_name(participant.user),
                "recorded_by": person_name(actor),
                "session": session,
                "edited": edited,
                "url": url,
            },
        )


def _competencies_check(competencies: Iterable[Competency]) -> list[Competency]:
    return list(competencies)


@transaction.atomic
def session_record(
    *,
    actor: AbstractBaseUser,
    supervisor: AbstractBaseUser,
    supervisees: Sequence[AbstractBaseUser],
    kind: str,
    held_on: datetime.date,
    duration_minutes: int,
    themes: Sequence[str] = (),
    themes_other: str = "",
    competencies: Iterable[Competency] = (),
    notes: str = "",
) -> SupervisionSession:
    """Record a session; it is confirmed for ``actor`` and waits for everyone else."""
    supervisees = list(dict.fromkeys(supervisees))
    if actor.pk != supervisor.pk and actor.pk not in {s.pk for s in supervisees}:
        raise PermissionDenied(_("Only the supervisor or a supervisee can record a session."))
    _validate_details(
        kind=kind,
        held_on=held_on,
        duration_minutes=duration_minutes,
        themes=themes,
        supervisees=supervisees,
    )
    organisation = _session_organisation(supervisor=supervisor, supervisees=supervisees)
    session = SupervisionSession(
        organisation=organisation,
        supervisor=supervisor,
        kind=kind,
        held_on=held_on,
        duration_minutes=duration_minutes,
        themes=list(dict.fromkeys(themes)),
        themes_other=themes_other.strip(),
        notes=notes,
        recorded_by=actor,
    )
    session.full_clean()
    session.save()
    session.competencies.set(_competencies_check(competencies))
    now = timezone.now()
    people = [(supervisor, Participant.Role.SUPERVISOR)] + [
        (supervisee, Participant.Role.SUPERVISEE) for supervisee in supervisees
    ]
    Participant.objects.bulk_create(
        Participant(
            session=session,
            user=person,
            role=role,
            status=(
                Participant.Status.CONFIRMED
                if person.pk == actor.pk
                else Participant.Status.PENDING
            ),
            responded_at=now if person.pk == actor.pk else None,
        )
        for person, role in people
    )
    _settle(session)
    _notify_others(session=session, actor=actor, edited=False)
    return session


def _lock(session: SupervisionSession) -> SupervisionSession:
    return SupervisionSession.objects.select_for_update().get(pk=session.pk)


@transaction.atomic
def session_update(
    *,
    session: SupervisionSession,
    actor: AbstractBaseUser,
    held_on: datetime.date,
    duration_minutes: int,
    themes: Sequence[str] = (),
    themes_other: str = "",
    competencies: Iterable[Competency] = (),
    notes: str = "",
) -> SupervisionSession:
    """Change a session's details: every other participant is asked to confirm again."""
    locked = _lock(session)
    _require_participant(session=locked, actor=actor)
    supervisees = [p.user for p in locked.participants.filter(role=Participant.Role.SUPERVISEE)]
    _validate_details(
        kind=locked.kind,
        held_on=held_on,
        duration_minutes=duration_minutes,
        themes=themes,
        supervisees=supervisees,
    )
    locked.held_on = held_on
    locked.duration_minutes = duration_minutes
    locked.themes = list(dict.fromkeys(themes))
    locked.themes_other = themes_other.strip()
    locked.notes = notes
    locked.full_clean()
    locked.save()
    locked.competencies.set(_competencies_check(competencies))
    now = timezone.now()
    locked.participants.exclude(user=actor).update(
        status=Participant.Status.PENDING, responded_at=None, reason=""
    )
    locked.participants.filter(user=actor).update(
        status=Participant.Status.CONFIRMED, responded_at=now, reason=""
    )
    _settle(locked)
    _notify_others(session=locked, actor=actor, edited=True)
    return locked


@transaction.atomic
def session_confirm(*, session: SupervisionSession, actor: AbstractBaseUser) -> Participant:
    """``actor`` confirms the session took place as recorded."""
    locked = _lock(session)
    participant = _require_participant(session=locked, actor=actor)
    participant.status = Participant.Status.CONFIRMED
    participant.reason = ""
    participant.responded_at = timezone.now()
    participant.save(update_fields=["status", "reason", "responded_at"])
    _settle(locked)
    return participant


@transaction.atomic
def session_dispute(
    *, session: SupervisionSession, actor: AbstractBaseUser, reason: str
) -> Participant:
    """``actor`` says the record is wrong; the session stops counting until it is edited."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Enter what is wrong with this record.")}, code="reason_required"
        )
    locked = _lock(session)
    participant = _require_participant(session=locked, actor=actor)
    participant.status = Participant.Status.DISPUTED
    participant.reason = reason
    participant.responded_at = timezone.now()
    participant.save(update_fields=["status", "reason", "responded_at"])
    _settle(locked)
    return participant


@transaction.atomic
def reflection_save(
    *, session: SupervisionSession, actor: AbstractBaseUser, reflection: str
) -> Participant:
    """A participant's own reflection on the session; it does not change confirmations."""
    participant = _require_participant(session=session, actor=actor)
    participant.reflection = reflection.strip()
    participant.save(update_fields=["reflection"])
    return participant


@transaction.atomic
def session_delete(*, session: SupervisionSession, actor: AbstractBaseUser) -> None:
    """The supervisor, or whoever recorded it, deletes a session; its evidence goes too."""
    locked = _lock(session)
    _require_participant(session=locked, actor=actor)
    if actor.pk not in (locked.supervisor_id, locked.recorded_by_id):
        raise PermissionDenied(
            _("Only the supervisor or the person who recorded it can delete this session.")
        )
    locked.confirmed_at = None
    _evidence_sync(locked)
    locked.delete()


# People's data.


@transaction.atomic
def supervision_data_erase_for_user(*, user: AbstractBaseUser) -> None:
    """Remove a person's supervision records.

    Sessions they led are deleted (their supervisees' evidence from them is withdrawn); in
    sessions they received, their place and reflections are removed and a session with no
    supervisee left is deleted. Pairs they were in are deleted.
    """
    for session in SupervisionSession.objects.filter(supervisor=user):
        session.confirmed_at = None
        _evidence_sync(session)
        session.delete()
    session_ids = list(Participant.objects.filter(user=user).values_list("session_id", flat=True))
    for session in SupervisionSession.objects.filter(pk__in=session_ids):
        evidence_withdraw(user=user, source=session)
        session.participants.filter(user=user).delete()
        if not session.participants.filter(role=Participant.Role.SUPERVISEE).exists():
            session.delete()
        elif session.kind == SupervisionSession.Kind.GROUP:
            _settle(session)
    SupervisionPair.objects.filter(Q(supervisor=user) | Q(supervisee=user)).delete()


def membership_is_active_supervisor(*, organisation: Organisation, user: AbstractBaseUser) -> bool:
    return Membership.objects.filter(
        organisation=organisation, user=user, status=Membership.Status.ACTIVE, is_supervisor=True
    ).exists()
