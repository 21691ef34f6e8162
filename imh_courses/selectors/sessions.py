"""Reads about live sessions and bookings: places left, who may book, see the link or mark."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Greatest
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext

from imh_core.formatting import datetime_text, time_text
from imh_courses.models import Booking, Enrolment, LiveSession
from imh_courses.selectors.learning import enrolment_current

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from imh_courses.models import CoursePage

# A confirmed place and one waiting for a manager's approval both hold a seat.
SEAT_HOLDING_STATUSES = (Booking.Status.CONFIRMED, Booking.Status.AWAITING_APPROVAL)


# Dates as people read them: "Wednesday 3 June 2026 at 2pm", always in UK time.


def uk_time_text(moment: datetime) -> str:
    """A time in NHS.UK style, in UK time: 2pm, 2:30pm, midday, midnight."""
    return time_text(moment)


def uk_datetime_text(moment: datetime) -> str:
    return datetime_text(moment, "l j F Y")


def session_when_text(*, session: LiveSession) -> str:
    """When a session runs: "Wednesday 3 June 2026, 2pm to 4:30pm (UK time)"."""
    starts = timezone.localtime(session.starts_at)
    ends = timezone.localtime(session.ends_at)
    if starts.date() == ends.date():
        return gettext("%(day)s, %(starts)s to %(ends)s (UK time)") % {
            "day": date_format(starts, "l j F Y"),
            "starts": uk_time_text(starts),
            "ends": uk_time_text(ends),
        }
    return gettext("%(starts)s to %(ends)s (UK time)") % {
        "starts": uk_datetime_text(starts),
        "ends": uk_datetime_text(ends),
    }


# Sessions and their places.


def sessions_with_places(queryset: QuerySet[LiveSession]) -> QuerySet[LiveSession]:
    """Annotate ``places_taken``, ``places_left`` and ``waiting_count`` in the same query."""
    return queryset.annotate(
        places_taken=Count("bookings", filter=Q(bookings__status__in=SEAT_HOLDING_STATUSES)),
        waiting_count=Count("bookings", filter=Q(bookings__status=Booking.Status.WAITLISTED)),
    ).annotate(places_left=Greatest(F("capacity") - F("places_taken"), Value(0)))


def sessions_upcoming_for_course(
    *, course: CoursePage, now: datetime | None = None
) -> QuerySet[LiveSession]:
    """Scheduled sessions of ``course`` that have not started, soonest first, with places left."""
    now = now or timezone.now()
    return sessions_with_places(
        LiveSession.objects.filter(
            course=course, status=LiveSession.Status.SCHEDULED, starts_at__gt=now
        )
    ).order_by("starts_at", "pk")


def session_for_trainee(*, pk: int) -> LiveSession:
    """A session of a live course (cancelled ones too, so links in emails keep working), or 404."""
    return get_object_or_404(
        sessions_with_places(LiveSession.objects.filter(course__live=True)).select_related(
            "course", "facilitator"
        ),
        pk=pk,
    )


def session_places_taken(*, session: LiveSession) -> int:
    return Booking.objects.filter(session=session, status__in=SEAT_HOLDING_STATUSES).count()


def session_booking_closes_at(*, session: LiveSession) -> datetime:
    """Booking closes at the set time, or when the session starts, whichever comes first."""
    if session.booking_closes_at and session.booking_closes_at < session.starts_at:
        return session.booking_closes_at
    return session.starts_at


def session_cancellation_cutoff(*, session: LiveSession) -> datetime:
    """After this moment a confirmed place can no longer be given up."""
    return session.starts_at - timedelta(hours=session.cancellation_cutoff_hours)


@dataclass(frozen=True)
class BookingProblem:
    """Why someone cannot book a session: a code for tests and a sentence for people."""

    code: str
    message: str


def session_booking_problem(
    *, session: LiveSession, user: AbstractBaseUser, now: datetime | None = None
) -> BookingProblem | None:
    """Why ``user`` cannot book ``session`` now, or ``None`` if they can.

    The booking service asks the same question again with the session row locked.
    """
    now = now or timezone.now()
    if session.status == LiveSession.Status.CANCELLED:
        return BookingProblem("session_cancelled", gettext("This session has been cancelled."))
    if now >= session.starts_at:
        return BookingProblem(
            "session_started",
            gettext("This session has already started, so it can no longer be booked."),
        )
    if session.booking_opens_at and now < session.booking_opens_at:
        return BookingProblem(
            "booking_not_open",
            gettext("Booking for this session is not open yet. It opens on %(opens)s.")
            % {"opens": uk_datetime_text(session.booking_opens_at)},
        )
    closes_at = session_booking_closes_at(session=session)
    if now >= closes_at:
        return BookingProblem(
            "booking_closed",
            gettext("Booking for this session has closed. It closed on %(closes)s.")
            % {"closes": uk_datetime_text(closes_at)},
        )
    enrolment = enrolment_current(user=user, course=session.course)
    if enrolment is None or enrolment.status != Enrolment.Status.ACTIVE:
        return BookingProblem(
            "not_enrolled",
            gettext(
                "You need to be enrolled on %(course)s to book this session. "
                "Enrol on the course first."
            )
            % {"course": session.course.title},
        )
    booking = booking_current(user=user, session=session)
    if booking is not None:
        return BookingProblem("already_booked", _already_booked_text(booking))
    return None


def _already_booked_text(booking: Booking) -> str:
    if booking.status == Booking.Status.WAITLISTED:
        return gettext("You are already on the waiting list for this session.")
    if booking.status == Booking.Status.AWAITING_APPROVAL:
        return gettext(
            "You have already booked this session. Your manager has not approved it yet."
        )
    return gettext("You already have a place at this session.")


# Bookings.


def booking_current(*, user: AbstractBaseUser, session: LiveSession) -> Booking | None:
    """The person's place, approval request or waiting-list entry for the session, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Booking.objects.filter(session=session, user=user, status__in=Booking.CURRENT_STATUSES)
        .order_by("-created_at", "-pk")
        .first()
    )


def waiting_list_position(*, booking: Booking) -> int | None:
    """1 for the next person to be offered a place; ``None`` when not on the waiting list."""
    if booking.status != Booking.Status.WAITLISTED:
        return None
    ahead = Booking.objects.filter(
        Q(created_at__lt=booking.created_at) | Q(created_at=booking.created_at, pk__lt=booking.pk),
        session_id=booking.session_id,
        status=Booking.Status.WAITLISTED,
    ).count()
    return ahead + 1


def user_can_see_joining_link(*, user: AbstractBaseUser, session: LiveSession) -> bool:
    """Only someone with a confirmed place (never the waiting list or an unapproved booking)."""
    if not session.joining_url or session.status == LiveSession.Status.CANCELLED:
        return False
    booking = booking_current(user=user, session=session)
    return booking is not None and booking.status == Booking.Status.CONFIRMED


def bookings_upcoming_for_user(
    *, user: AbstractBaseUser, now: datetime | None = None
) -> QuerySet[Booking]:
    """The person's current bookings for sessions that have not ended, soonest first."""
    now = now or timezone.now()
    return (
        Booking.objects.filter(
            user=user,
            status__in=Booking.CURRENT_STATUSES,
            session__status=LiveSession.Status.SCHEDULED,
            session__ends_at__gt=now,
        )
        .select_related("session", "session__course")
        .order_by("session__starts_at", "session__pk")
    )


def bookings_awaiting_approval(
    *, user_ids: Iterable[int], now: datetime | None = None
) -> QuerySet[Booking]:
    """Bookings by these people that wait for a manager, for sessions yet to start, oldest first."""
    now = now or timezone.now()
    return (
        Booking.objects.filter(
            # A queryset of ids stays a subquery; anything else is read once.
            user_id__in=user_ids if isinstance(user_ids, QuerySet) else list(user_ids),
            status=Booking.Status.AWAITING_APPROVAL,
            session__status=LiveSession.Status.SCHEDULED,
            session__starts_at__gt=now,
        )
        .select_related("user", "session", "session__course")
        .order_by("created_at", "pk")
    )


# The attendance register.


def user_can_mark_attendance(*, user: AbstractBaseUser, session: LiveSession) -> bool:
    """Superusers, the session's facilitator and anyone who may edit the course's page."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser or session.facilitator_id == user.pk:
        return True
    return session.course.permissions_for_user(user).can_edit()


def user_can_manage_sessions(*, user: AbstractBaseUser) -> bool:
    """Who may create, change and cancel sessions (the Wagtail admin's model permission)."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(
        "imh_courses.change_livesession"
    )


def session_for_marker(*, user: AbstractBaseUser, pk: int) -> LiveSession:
    """The session if ``user`` may mark its register; otherwise 404, never 403."""
    session = get_object_or_404(LiveSession.objects.select_related("course", "facilitator"), pk=pk)
    if not user_can_mark_attendance(user=user, session=session):
        raise Http404("No session whose register you may mark has this id.")
    return session


def session_register(*, session: LiveSession) -> QuerySet[Booking]:
    """Confirmed places with each person and their attendance, by surname."""
    return (
        Booking.objects.filter(session=session, status=Booking.Status.CONFIRMED)
        .select_related("user", "user__profile", "attendance_marked_by")
        .order_by("user__last_name", "user__first_name", "user__email", "pk")
    )
