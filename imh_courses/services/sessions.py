"""Every change to live sessions and bookings: booking, the waiting list, approval, attendance.

A decision about places (is there a seat? who is next on the waiting list?) is taken with the
session row locked, so two people booking the last place at the same moment get one place and
one waiting-list entry, never one place too many. Problems a person can fix raise
``ValidationError`` with a sentence to show them; acting on something that is not theirs
raises ``PermissionDenied``. Emails go out only once the transaction has committed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from imh_competencies.models import Evidence
from imh_competencies.services import evidence_record, evidence_withdraw
from imh_core.links import site_url
from imh_core.mail import email_send
from imh_core.people import person_name
from imh_courses.models import Booking, Enrolment, LiveSession
from imh_courses.selectors import sessions as selectors
from imh_courses.selectors.learning import enrolment_current
from imh_courses.services.learning import course_completion_evaluate
from imh_courses.signals import booking_awaiting_approval

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

# Changing any of these after people have booked tells them by email.
_DETAILS_PEOPLE_RELY_ON = ("starts_at", "ends_at", "venue", "joining_url")


# Helpers.


def _page_url(page: Any) -> str:
    # A page's URL is relative while the installation has one site, absolute otherwise.
    return site_url(page.get_url() or "/")


def _session_url(*, session: LiveSession) -> str:
    """The session's page on the site, as a full address for emails."""
    return site_url(reverse("imh_courses:session_detail", args=[session.pk]))


def _email_person(*, user: Any, template: str, subject: str, context: dict[str, Any]) -> None:
    """A plain-text email to one person about a session, sent once the transaction commits."""
    if not user.email:
        return
    session = context["session"]
    email_send(
        to=user.email,
        subject=subject,
        template=f"imh_courses/email/{template}.txt",
        context={
            "person_name": person_name(user),
            "when": selectors.session_when_text(session=session),
            "session_url": _session_url(session=session),
            "calendar_url": site_url(reverse("imh_courses:session_ics", args=[session.pk])),
            "course_url": _page_url(session.course),
            **context,
        },
    )


def _announce_awaiting_approval(booking: Booking) -> None:
    """Tell higher apps (organisations: the trainee's managers) once the booking is saved."""
    transaction.on_commit(
        lambda: booking_awaiting_approval.send(sender=Booking, booking=booking), robust=True
    )


def _lock_session(session: LiveSession) -> LiveSession:
    """Lock the session row: every decision about its places is taken under this lock."""
    # of=("self",): lock the session, not the joined course page (editors may be saving it).
    return (
        LiveSession.objects.select_for_update(of=("self",))
        .select_related("course")
        .get(pk=session.pk)
    )


def _lock_booking(booking: Booking, *, session: LiveSession) -> Booking:
    """Lock one booking, always after its session (the one order every service uses)."""
    locked = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=booking.pk, session=session)
    )
    locked.session = session
    return locked


def _error(message: str, *, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _held_place_status(session: LiveSession) -> str:
    return (
        Booking.Status.AWAITING_APPROVAL
        if session.requires_manager_approval
        else Booking.Status.CONFIRMED
    )


def _waiting_list_promote(*, session: LiveSession, now: datetime) -> list[Booking]:
    """Offer every free place to the waiting list, first come first served; the session is locked.

    A place that comes up once the session has started is not offered: nobody could use it.
    """
    if session.status != LiveSession.Status.SCHEDULED or now >= session.starts_at:
        return []
    free = session.capacity - selectors.session_places_taken(session=session)
    if free <= 0:
        return []
    promoted = list(
        Booking.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(session=session, status=Booking.Status.WAITLISTED)
        .order_by("created_at", "pk")[:free]
    )
    for booking in promoted:
        booking.session = session
        booking.status = _held_place_status(session)
        booking.save(update_fields=["status", "updated_at"])
        _email_person(
            user=booking.user,
            template="session_place_offered",
            subject=gettext("A place has come up: %(title)s") % {"title": session.title},
            context={"session": session, "booking": booking},
        )
        if booking.status == Booking.Status.AWAITING_APPROVAL:
            _announce_awaiting_approval(booking)
    return promoted


# Trainees.


def booking_create(*, session: LiveSession, user: AbstractBaseUser) -> Booking:
    """Book ``user`` onto ``session``: a place if one is free, else the waiting list.

    A place is confirmed at once, or waits for a manager's approval when the session asks for
    it (and holds the seat meanwhile).
    """
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_session(session)
        problem = selectors.session_booking_problem(session=locked, user=user, now=now)
        if problem is not None:
            raise _error(problem.message, code=problem.code)
        if selectors.session_places_taken(session=locked) < locked.capacity:
            status = _held_place_status(locked)
        else:
            status = Booking.Status.WAITLISTED
        booking = Booking(session=locked, user=user, status=status, created_at=now)
        booking.full_clean()
        try:
            # A savepoint, so the constraint backstop leaves the transaction usable.
            with transaction.atomic():
                booking.save()
        except IntegrityError:
            raise _error(
                gettext("You already have a place or a place in the queue."),
                code="already_booked",
            ) from None
        _email_person(
            user=user,
            template="session_booked",
            subject=gettext("%(status)s: %(title)s")
            % {"status": booking.get_status_display(), "title": locked.title},
            context={
                "session": locked,
                "booking": booking,
                "waiting_position": selectors.waiting_list_position(booking=booking),
            },
        )
        if status == Booking.Status.AWAITING_APPROVAL:
            _announce_awaiting_approval(booking)
    return booking


def booking_cancel(*, booking: Booking, user: AbstractBaseUser) -> Booking:
    """Give up a place or leave the waiting list; the freed place goes to the next in line.

    Within the cancellation cut-off a confirmed place cannot be given up here (the educator
    has planned for it); leaving the waiting list or withdrawing a request is always possible.
    """
    now = timezone.now()
    with transaction.atomic():
        session = _lock_session(booking.session)
        locked = _lock_booking(booking, session=session)
        if locked.user_id != user.pk:
            raise PermissionDenied(gettext("You can only cancel your own booking."))
        if locked.status not in Booking.CURRENT_STATUSES:
            raise _error(gettext("This booking has already ended."), code="booking_not_current")
        cutoff = selectors.session_cancellation_cutoff(session=session)
        if locked.status == Booking.Status.CONFIRMED and now >= cutoff:
            raise _error(
                gettext(
                    "You can no longer cancel your place online: cancellations closed on "
                    "%(cutoff)s, %(hours)s hours before the session starts. If you cannot come, "
                    "tell the course team."
                )
                % {
                    "cutoff": selectors.uk_datetime_text(cutoff),
                    "hours": session.cancellation_cutoff_hours,
                },
                code="cancellation_closed",
            )
        held_place = locked.status in selectors.SEAT_HOLDING_STATUSES
        locked.status = Booking.Status.CANCELLED
        locked.cancelled_at = now
        locked.save(update_fields=["status", "cancelled_at", "updated_at"])
        if held_place:
            _waiting_list_promote(session=session, now=now)
    return locked


def bookings_cancel_for_erasure(*, user: AbstractBaseUser) -> list[Booking]:
    """Withdraw ``user`` from every session not yet started, for account deletion.

    Places, requests and waiting-list entries all end, and each freed place goes to the next
    in line as on any cancellation. The cancellation cut-off does not apply: someone who has
    deleted their account cannot come, so the place is better offered to someone who can.
    Bookings for sessions that have started stay, as the record of who came.
    """
    now = timezone.now()
    cancelled: list[Booking] = []
    with transaction.atomic():
        session_ids = sorted(
            set(
                Booking.objects.filter(
                    user=user,
                    status__in=Booking.CURRENT_STATUSES,
                    session__starts_at__gt=now,
                ).values_list("session_id", flat=True)
            )
        )
        # One session at a time, in a fixed order, locked before its bookings as everywhere.
        for session_id in session_ids:
            session = _lock_session(LiveSession(pk=session_id))
            if now >= session.starts_at:
                continue
            bookings = list(
                Booking.objects.select_for_update(of=("self",)).filter(
                    session=session, user=user, status__in=Booking.CURRENT_STATUSES
                )
            )
            held_place = any(
                booking.status in selectors.SEAT_HOLDING_STATUSES for booking in bookings
            )
            for booking in bookings:
                booking.status = Booking.Status.CANCELLED
                booking.cancelled_at = now
                booking.save(update_fields=["status", "cancelled_at", "updated_at"])
            if held_place:
                _waiting_list_promote(session=session, now=now)
            cancelled.extend(bookings)
    return cancelled


# Managers (organisations checks the actor manages the trainee before calling these).


def _awaiting_booking_lock(booking: Booking, *, now: datetime) -> Booking:
    session = _lock_session(booking.session)
    locked = _lock_booking(booking, session=session)
    if locked.status != Booking.Status.AWAITING_APPROVAL:
        raise _error(
            gettext("This booking is no longer waiting for approval."), code="booking_not_awaiting"
        )
    if session.status == LiveSession.Status.CANCELLED:
        raise _error(gettext("This session has been cancelled."), code="session_cancelled")
    if now >= session.starts_at:
        raise _error(gettext("This session has already started."), code="session_started")
    return locked


def booking_approve(*, booking: Booking, actor: AbstractBaseUser) -> Booking:
    """Confirm a place that was waiting for a manager's approval, and tell the trainee."""
    now = timezone.now()
    with transaction.atomic():
        locked = _awaiting_booking_lock(booking, now=now)
        locked.status = Booking.Status.CONFIRMED
        locked.approval_decided_by = actor
        locked.save(update_fields=["status", "approval_decided_by", "updated_at"])
        _email_person(
            user=locked.user,
            template="session_booking_approved",
            subject=gettext("Your place is confirmed: %(title)s") % {"title": locked.session.title},
            context={"session": locked.session, "booking": locked},
        )
    return locked


def booking_decline(*, booking: Booking, actor: AbstractBaseUser) -> Booking:
    """Decline a booking waiting for approval; its place goes to the next on the waiting list."""
    now = timezone.now()
    with transaction.atomic():
        locked = _awaiting_booking_lock(booking, now=now)
        locked.status = Booking.Status.DECLINED
        locked.approval_decided_by = actor
        locked.save(update_fields=["status", "approval_decided_by", "updated_at"])
        _email_person(
            user=locked.user,
            template="session_booking_declined",
            subject=gettext("Your booking was not approved: %(title)s")
            % {"title": locked.session.title},
            context={"session": locked.session, "booking": locked},
        )
        _waiting_list_promote(session=locked.session, now=now)
    return locked


# Educators and facilitators.


def attendance_mark(
    *, session: LiveSession, marks: Mapping[int, str], actor: AbstractBaseUser
) -> list[Booking]:
    """Record who attended; then let each attendee's course decide whether they have completed.

    ``marks`` maps booking ids (confirmed places at ``session``) to a ``Booking.Attendance``
    value. Marking opens when the session starts; marks can be corrected later.
    """
    if not selectors.user_can_mark_attendance(user=actor, session=session):
        raise PermissionDenied(
            gettext("Only the facilitator or an educator can mark this register.")
        )
    unknown_values = set(marks.values()) - set(Booking.Attendance.values)
    if unknown_values:
        raise _error(
            gettext("Choose attended, partially attended or did not attend for each person."),
            code="invalid_attendance",
        )
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_session(session)
        if locked.status == LiveSession.Status.CANCELLED:
            raise _error(
                gettext("This session was cancelled, so there is no attendance to mark."),
                code="session_cancelled",
            )
        if now < locked.starts_at:
            raise _error(
                gettext("You can mark attendance once the session starts, on %(starts)s.")
                % {"starts": selectors.uk_datetime_text(locked.starts_at)},
                code="marking_not_open",
            )
        bookings = {
            booking.pk: booking
            for booking in Booking.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(session=locked, status=Booking.Status.CONFIRMED, pk__in=list(marks))
        }
        if set(marks) - set(bookings):
            raise _error(
                gettext(
                    "Some of these people no longer have a confirmed place. Reload the register "
                    "and try again."
                ),
                code="booking_not_confirmed",
            )
        changed = []
        for booking_id, attendance in marks.items():
            booking = bookings[booking_id]
            if booking.attendance == attendance:
                continue
            booking.attendance = attendance
            booking.attendance_marked_by = actor
            booking.attendance_marked_at = now
            booking.save(
                update_fields=[
                    "attendance",
                    "attendance_marked_by",
                    "attendance_marked_at",
                    "updated_at",
                ]
            )
            changed.append(booking)
        _attendance_evidence_record(session=locked, bookings=changed)
        for booking in changed:
            enrolment = enrolment_current(user=booking.user, course=locked.course)
            if enrolment is not None and enrolment.status == Enrolment.Status.ACTIVE:
                course_completion_evaluate(enrolment=enrolment)
    return changed


def _attendance_evidence_record(*, session: LiveSession, bookings: list[Booking]) -> None:
    """Attending in full counts as evidence of the session's competencies; a register
    corrected to partial attendance or no-show withdraws it."""
    if not bookings:
        return
    mappings = [(m.competency_id, m.level) for m in session.competency_mappings.all()]
    url = reverse("imh_courses:session_detail", args=[session.pk])
    for booking in bookings:
        if booking.attendance == Booking.Attendance.ATTENDED and mappings:
            evidence_record(
                user=booking.user,
                source=booking,
                kind=Evidence.Kind.ATTENDANCE,
                competencies=mappings,
                occurred_on=timezone.localdate(session.starts_at),
                title=session.title,
                url=url,
            )
        else:
            evidence_withdraw(user=booking.user, source=booking)


def session_save(*, session: LiveSession, actor: AbstractBaseUser) -> LiveSession:
    """Create or change a session (the admin's forms save through here).

    Capacity cannot drop below the places already taken; a larger capacity offers the new
    places to the waiting list; a new time or place is emailed to everyone booked.
    """
    creating = session.pk is None
    permission = "imh_courses.add_livesession" if creating else "imh_courses.change_livesession"
    if not actor.has_perm(permission):
        raise PermissionDenied(gettext("You do not have permission to manage live sessions."))
    now = timezone.now()
    with transaction.atomic():
        previous = None
        if creating:
            session.status = LiveSession.Status.SCHEDULED
        else:
            previous = _lock_session(session)
            if previous.status == LiveSession.Status.CANCELLED:
                raise _error(
                    gettext(
                        "This session has been cancelled and can no longer be changed. Copy it "
                        "to arrange a new date."
                    ),
                    code="session_cancelled",
                )
            session.status = previous.status
            taken = selectors.session_places_taken(session=previous)
            if session.capacity < taken:
                raise ValidationError(
                    {
                        "capacity": ValidationError(
                            gettext(
                                "%(taken)s places are already taken, so the capacity cannot be "
                                "less than %(taken)s."
                            )
                            % {"taken": taken},
                            code="capacity_below_taken",
                        )
                    }
                )
        session.full_clean()
        session.save()
        if previous is not None:
            changed = [
                field
                for field in _DETAILS_PEOPLE_RELY_ON
                if getattr(previous, field) != getattr(session, field)
            ]
            if changed:
                _bookings_tell(
                    session=session,
                    template="session_changed",
                    subject=gettext("Changes to %(title)s") % {"title": session.title},
                    context={"changed": changed},
                )
            _waiting_list_promote(session=session, now=now)
    return session


def session_cancel(*, session: LiveSession, actor: AbstractBaseUser) -> LiveSession:
    """Call off a session that has not started; everyone booked or waiting is told by email."""
    if not selectors.user_can_manage_sessions(user=actor):
        raise PermissionDenied(gettext("You do not have permission to cancel live sessions."))
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_session(session)
        if locked.status == LiveSession.Status.CANCELLED:
            raise _error(
                gettext("This session has already been cancelled."), code="session_cancelled"
            )
        if now >= locked.starts_at:
            raise _error(
                gettext("This session has already started, so it can no longer be cancelled."),
                code="session_started",
            )
        locked.status = LiveSession.Status.CANCELLED
        locked.save(update_fields=["status"])
        told = _bookings_tell(
            session=locked,
            template="session_cancelled",
            subject=gettext("Cancelled: %(title)s") % {"title": locked.title},
            context={},
        )
        Booking.objects.filter(pk__in=[booking.pk for booking in told]).update(
            status=Booking.Status.CANCELLED, cancelled_at=now, updated_at=now
        )
    return locked


def _bookings_tell(
    *, session: LiveSession, template: str, subject: str, context: dict[str, Any]
) -> Iterable[Booking]:
    """Email everyone with a current booking (place, request or waiting list); the session is
    locked."""
    bookings = list(
        Booking.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(session=session, status__in=Booking.CURRENT_STATUSES)
    )
    for booking in bookings:
        _email_person(
            user=booking.user,
            template=template,
            subject=subject,
            context={"session": session, "booking": booking, **context},
        )
    return bookings
