"""Reads for supervision pages and for other apps.

Functions other apps call (``supervision_hours``, ``supervision_sessions_confirmed``,
``portfolio_activities``) and everything a manager sees never read the reflective fields: they
return dates, durations, kinds and confirmation only.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404

from imh_competencies.models import Competency
from imh_core.people import person_name, select_people
from imh_organisations.models import Membership, Organisation
from imh_supervision.models import (
    Participant,
    SupervisionPair,
    SupervisionSession,
    minutes_to_hours,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

# Fields that are safe to read anywhere (no reflective content).
SESSION_PUBLIC_FIELDS = (
    "id",
    "organisation_id",
    "supervisor_id",
    "kind",
    "held_on",
    "duration_minutes",
    "confirmed_at",
)
# Fields only a session's participants may read.
REFLECTIVE_FIELDS = ("notes", "themes", "themes_other")


class CompetencyList(list):
    """A prefetched list that answers ``.all()`` like a related manager does."""

    def all(self) -> CompetencyList:
        return self


@dataclass(frozen=True)
class ConfirmedSession:
    """A confirmed session as other apps see it: no reflective content at all."""

    pk: int
    held_on: datetime.date
    duration_minutes: int
    kind: str
    kind_label: str
    hours: Decimal
    supervisor_name: str
    organisation_name: str
    competencies: CompetencyList = field(default_factory=CompetencyList)

    @property
    def id(self) -> int:
        return self.pk


def _received_by(user: AbstractBaseUser) -> Q:
    return Q(
        Exists(
            Participant.objects.filter(
                session=OuterRef("pk"), user=user, role=Participant.Role.SUPERVISEE
            )
        )
    )


def _confirmed_received(
    *, user: AbstractBaseUser, since: datetime.date | None
) -> QuerySet[SupervisionSession]:
    sessions = SupervisionSession.objects.filter(_received_by(user), confirmed_at__isnull=False)
    if since is not None:
        sessions = sessions.filter(held_on__gte=since)
    return sessions


def supervision_hours(*, user: AbstractBaseUser, since: datetime.date | None = None) -> Decimal:
    """Hours of supervision ``user`` received in sessions confirmed by everyone in them."""
    minutes = _confirmed_received(user=user, since=since).aggregate(total=Sum("duration_minutes"))[
        "total"
    ]
    return minutes_to_hours(minutes or 0)


def supervision_sessions_confirmed(
    *, user: AbstractBaseUser, since: datetime.date | None = None
) -> list[ConfirmedSession]:
    """The confirmed sessions ``user`` received, newest first, with their competencies."""
    sessions = select_people(
        _confirmed_received(user=user, since=since)
        .defer(*REFLECTIVE_FIELDS)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "competencies",
                queryset=Competency.objects.select_related("framework").order_by(
                    "framework_id", "sort_order", "code"
                ),
            )
        )
        .order_by("-held_on", "-pk"),
        "supervisor",
    )
    return [
        ConfirmedSession(
            pk=session.pk,
            held_on=session.held_on,
            duration_minutes=session.duration_minutes,
            kind=session.kind,
            kind_label=str(session.get_kind_display()),
            hours=session.hours,
            supervisor_name=person_name(session.supervisor),
            organisation_name=session.organisation.name,
            competencies=CompetencyList(session.competencies.all()),
        )
        for session in sessions
    ]


def portfolio_activities(*, user: AbstractBaseUser) -> list[dict[str, Any]]:
    """Confirmed supervision received, as CPD activities (``IMH_PORTFOLIO_ACTIVITIES``)."""
    from imh_core.links import path_for

    return [
        {
            "title": str(session.kind_label) + " reflective supervision",
            "occurred_on": session.held_on,
            "hours": session.hours,
            "participatory": True,
            "url": path_for("imh_supervision:session_detail", session.pk),
            "method": "Reflective supervision",
            "provider": session.supervisor_name,
        }
        for session in supervision_sessions_confirmed(user=user)
    ]


# Pairs.


def pairs_for_user(*, user: AbstractBaseUser) -> QuerySet[SupervisionPair]:
    """Active pairs where ``user`` is supervisor or supervisee."""
    return select_people(
        SupervisionPair.objects.filter(Q(supervisor=user) | Q(supervisee=user), is_active=True)
        .select_related("organisation")
        .order_by("organisation__name", "pk"),
        "supervisor",
        "supervisee",
    )


def user_has_pair(*, user: AbstractBaseUser) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return SupervisionPair.objects.filter(
        Q(supervisor=user) | Q(supervisee=user), is_active=True
    ).exists()


def supervisees_of(*, supervisor: AbstractBaseUser, organisation: Organisation) -> list[Any]:
    """The people ``supervisor`` actively supervises in ``organisation``."""
    pairs = select_people(
        SupervisionPair.objects.filter(
            supervisor=supervisor, organisation=organisation, is_active=True
        ),
        "supervisee",
    )
    return [pair.supervisee for pair in pairs]


def pairs_of_organisation(*, organisation: Organisation) -> QuerySet[SupervisionPair]:
    return select_people(
        SupervisionPair.objects.filter(organisation=organisation), "supervisor", "supervisee"
    ).order_by("-is_active", "-starts_on", "-pk")


def pair_of_organisation(*, organisation: Organisation, pk: int) -> SupervisionPair:
    return get_object_or_404(pairs_of_organisation(organisation=organisation), pk=pk)


def active_supervisors_of(*, organisation: Organisation) -> QuerySet[Membership]:
    return select_people(
        Membership.objects.filter(
            organisation=organisation, status=Membership.Status.ACTIVE, is_supervisor=True
        ),
        "user",
    )


def active_members_of(*, organisation: Organisation) -> QuerySet[Membership]:
    return select_people(
        Membership.objects.filter(organisation=organisation, status=Membership.Status.ACTIVE),
        "user",
    )


def users_in(ids: Iterable[int]) -> QuerySet:
    """People by id, as a form's choices take them."""
    return get_user_model().objects.filter(pk__in=set(ids))


def supervisor_choices(*, organisation: Organisation) -> QuerySet:
    """Active members named as supervisors: who a manager may pair as the supervisor."""
    return get_user_model().objects.filter(
        pk__in=active_supervisors_of(organisation=organisation).values("user_id")
    )


def member_choices(*, organisation: Organisation) -> QuerySet:
    """Active members: who a manager may pair as the supervisee."""
    return get_user_model().objects.filter(
        pk__in=active_members_of(organisation=organisation).values("user_id")
    )


# Sessions seen by their participants.


def sessions_for_participant(*, user: AbstractBaseUser) -> QuerySet[SupervisionSession]:
    """Sessions ``user`` took part in (as supervisor or supervisee), newest first."""
    return (
        SupervisionSession.objects.filter(participants__user=user)
        .distinct()
        .select_related("organisation")
        .prefetch_related(
            Prefetch("participants", queryset=select_people(Participant.objects.all(), "user"))
        )
        .order_by("-held_on", "-pk")
    )


def session_for_participant(*, user: AbstractBaseUser, pk: int) -> SupervisionSession:
    """One session ``user`` took part in; anyone else (a manager too) gets a 404."""
    session = get_object_or_404(
        SupervisionSession.objects.select_related("organisation", "supervisor").prefetch_related(
            Prefetch("participants", queryset=select_people(Participant.objects.all(), "user")),
            "competencies",
        ),
        pk=pk,
    )
    if not any(p.user_id == user.pk for p in session.participants.all()):
        raise Http404
    return session


def awaiting_confirmation_by(*, user: AbstractBaseUser) -> QuerySet[SupervisionSession]:
    return sessions_for_participant(user=user).filter(
        participants__user=user, participants__status=Participant.Status.PENDING
    )


def hours_received(*, user: AbstractBaseUser, since: datetime.date | None = None) -> Decimal:
    return supervision_hours(user=user, since=since)


def hours_given(*, user: AbstractBaseUser, since: datetime.date | None = None) -> Decimal:
    sessions = SupervisionSession.objects.filter(supervisor=user, confirmed_at__isnull=False)
    if since is not None:
        sessions = sessions.filter(held_on__gte=since)
    minutes = sessions.aggregate(total=Sum("duration_minutes"))["total"]
    return minutes_to_hours(minutes or 0)


# Managers: dates, durations, kinds and confirmation only.


@dataclass
class StaffHours:
    person: Any
    sessions: list[dict[str, Any]]
    confirmed_hours: Decimal
    unconfirmed_hours: Decimal


def manager_overview(
    *,
    organisation: Organisation,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> list[StaffHours]:
    """Per active member of ``organisation``: supervision sessions received there and hours.

    Reads only the fields in ``SESSION_PUBLIC_FIELDS``; reflective content is never loaded.
    """
    members = active_members_of(organisation=organisation)
    people = {m.user_id: m.user for m in members}
    participants = (
        Participant.objects.filter(
            role=Participant.Role.SUPERVISEE,
            user_id__in=list(people),
            session__organisation=organisation,
        )
        .values(
            "user_id",
            "status",
            "session_id",
            "session__held_on",
            "session__duration_minutes",
            "session__kind",
            "session__confirmed_at",
        )
        .order_by("-session__held_on", "-session_id")
    )
    if since is not None:
        participants = participants.filter(session__held_on__gte=since)
    if until is not None:
        participants = participants.filter(session__held_on__lte=until)
    by_person: dict[int, list[dict[str, Any]]] = {pk: [] for pk in people}
    for row in participants:
        by_person[row["user_id"]].append(
            {
                "held_on": row["session__held_on"],
                "duration_minutes": row["session__duration_minutes"],
                "hours": minutes_to_hours(row["session__duration_minutes"]),
                "kind": SupervisionSession.Kind(row["session__kind"]),
                "confirmed": row["session__confirmed_at"] is not None,
            }
        )
    rows = []
    for pk, person in people.items():
        sessions = by_person[pk]
        rows.append(
            StaffHours(
                person=person,
                sessions=sessions,
                confirmed_hours=sum((s["hours"] for s in sessions if s["confirmed"]), Decimal(0)),
                unconfirmed_hours=sum(
                    (s["hours"] for s in sessions if not s["confirmed"]), Decimal(0)
                ),
            )
        )
    rows.sort(key=lambda row: person_name(row.person).lower())
    return rows


# People's data.


def user_data_export(user: AbstractBaseUser) -> dict[str, Any]:
    """Everything supervision holds about ``user``, including their own sessions' notes."""
    pairs = SupervisionPair.objects.filter(Q(supervisor=user) | Q(supervisee=user))
    sessions = sessions_for_participant(user=user).prefetch_related("competencies")
    return {
        "pairs": [
            {
                "organisation": pair.organisation.name,
                "role": "supervisor" if pair.supervisor_id == user.pk else "supervisee",
                "other_person": person_name(
                    pair.supervisee if pair.supervisor_id == user.pk else pair.supervisor
                ),
                "starts_on": pair.starts_on.isoformat(),
                "ends_on": pair.ends_on.isoformat() if pair.ends_on else None,
                "active": pair.is_active,
            }
            for pair in pairs.select_related("organisation", "supervisor", "supervisee")
        ],
        "sessions": [_session_export(session, user) for session in sessions],
    }


def _session_export(session: SupervisionSession, user: AbstractBaseUser) -> dict[str, Any]:
    mine = next(p for p in session.participants.all() if p.user_id == user.pk)
    return {
        "organisation": session.organisation.name,
        "kind": session.kind,
        "held_on": session.held_on.isoformat(),
        "duration_minutes": session.duration_minutes,
        "themes": session.theme_labels(),
        "competencies": [c.code for c in session.competencies.all()],
        "notes": session.notes,
        "confirmed": session.is_confirmed,
        "my_role": mine.role,
        "my_status": mine.status,
        "my_reason": mine.reason,
        "my_reflection": mine.reflection,
        "participants": [person_name(p.user) for p in session.participants.all()],
    }
