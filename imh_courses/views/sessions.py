"""Live-session pages: a session and your booking, booking and cancelling, the calendar file,
and the attendance register. Each parses the request and calls one service."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from imh_core.links import site_url
from imh_core.people import person_name
from imh_core.site import site_name
from imh_courses.models import Booking, LiveSession
from imh_courses.selectors import sessions as selectors
from imh_courses.services import sessions as services

_BOOKED_MESSAGES = {
    Booking.Status.CONFIRMED: (messages.SUCCESS, gettext_lazy("Your place is booked.")),
    Booking.Status.AWAITING_APPROVAL: (
        messages.SUCCESS,
        gettext_lazy(
            "You have booked a place. Your manager needs to approve it: we have asked them and "
            "will email you when they decide."
        ),
    ),
}
_CANCELLED_MESSAGES = {
    Booking.Status.CONFIRMED: gettext_lazy("You have cancelled your place."),
    Booking.Status.AWAITING_APPROVAL: gettext_lazy("You have withdrawn your booking."),
    Booking.Status.WAITLISTED: gettext_lazy("You have left the waiting list."),
}
_CANCEL_LABELS = {
    Booking.Status.CONFIRMED: gettext_lazy("Cancel your place"),
    Booking.Status.AWAITING_APPROVAL: gettext_lazy("Withdraw your booking"),
    Booking.Status.WAITLISTED: gettext_lazy("Leave the waiting list"),
}


def _error_text(error: ValidationError | PermissionDenied) -> str:
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


def _crumbs(session: LiveSession) -> list[tuple[str, str]]:
    crumbs = [(gettext("Home"), "/")]
    course_url = session.course.get_url()
    if course_url:
        crumbs.append((session.course.title, course_url))
    return crumbs


@login_required
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for_trainee(pk=pk)
    booking = selectors.booking_current(user=request.user, session=session)
    now = timezone.now()
    problem = (
        selectors.session_booking_problem(session=session, user=request.user, now=now)
        if booking is None
        else None
    )
    cutoff = selectors.session_cancellation_cutoff(session=session)
    can_cancel = booking is not None and (
        booking.status != Booking.Status.CONFIRMED or now < cutoff
    )
    return render(
        request,
        "imh_courses/sessions/detail.html",
        {
            "session": session,
            "course": session.course,
            "when": selectors.session_when_text(session=session),
            "booking": booking,
            "waiting_position": selectors.waiting_list_position(booking=booking)
            if booking
            else None,
            "problem": problem,
            "can_book": booking is None and problem is None,
            "can_cancel": can_cancel,
            "cancel_label": _CANCEL_LABELS.get(booking.status, "") if booking else "",
            "cancellation_cutoff": selectors.uk_datetime_text(cutoff),
            "cutoff_passed": now >= cutoff,
            "started": now >= session.starts_at,
            "booking_closes": selectors.uk_datetime_text(
                selectors.session_booking_closes_at(session=session)
            ),
            "show_joining_link": selectors.user_can_see_joining_link(
                user=request.user, session=session
            ),
            "can_mark": selectors.user_can_mark_attendance(user=request.user, session=session),
            "crumbs": _crumbs(session),
        },
    )


@login_required
@require_POST
def session_book(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for_trainee(pk=pk)
    try:
        booking = services.booking_create(session=session, user=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        if booking.status == Booking.Status.WAITLISTED:
            position = selectors.waiting_list_position(booking=booking)
            messages.info(
                request,
                gettext(
                    "The session is full, so you are on the waiting list (number %(position)s). "
                    "We will email you if a place comes up."
                )
                % {"position": position},
            )
        else:
            level, text = _BOOKED_MESSAGES[booking.status]
            messages.add_message(request, level, text)
    return redirect("imh_courses:session_detail", pk=session.pk)


@login_required
@require_POST
def session_cancel_booking(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for_trainee(pk=pk)
    booking = selectors.booking_current(user=request.user, session=session)
    if booking is None:
        messages.error(request, gettext("You do not have a booking for this session."))
        return redirect("imh_courses:session_detail", pk=session.pk)
    status = booking.status
    try:
        services.booking_cancel(booking=booking, user=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _CANCELLED_MESSAGES[status])
    return redirect("imh_courses:session_detail", pk=session.pk)


# The calendar file (RFC 5545), written by hand: one event, UTC times, CRLF line endings.

_ICS_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def ics_text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 section 3.3.11 asks."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _ICS_CONTROL_CHARACTERS.sub("", value)
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ics_fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets, never inside a UTF-8 character."""
    pieces: list[str] = []
    current, size, limit = [], 0, 75
    for character in line:
        width = len(character.encode("utf-8"))
        if size + width > limit:
            pieces.append("".join(current))
            # A continuation line starts with a space, which counts towards its 75 octets.
            current, size, limit = [], 0, 74
        current.append(character)
        size += width
    pieces.append("".join(current))
    return "\r\n ".join(pieces)


def ics_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def session_calendar(*, session: LiveSession, session_url: str, joining_url: str = "") -> str:
    """The session as an iCalendar object. Give ``joining_url`` only to a confirmed place."""
    host = urlsplit(site_url()).hostname or "imh-learning"
    location = session.venue.strip() or joining_url
    description = [
        gettext("%(kind)s for %(course)s.")
        % {"kind": session.get_kind_display(), "course": session.course.title}
    ]
    if session.description:
        description.append(session.description)
    if joining_url:
        description.append(gettext("Join online: %(url)s") % {"url": joining_url})
    description.append(gettext("Your booking: %(url)s") % {"url": session_url})
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{ics_text(site_name() or 'IMH Learning')}//Live sessions//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:livesession-{session.pk}@{host}",
        f"DTSTAMP:{ics_utc(timezone.now())}",
        f"DTSTART:{ics_utc(session.starts_at)}",
        f"DTEND:{ics_utc(session.ends_at)}",
        f"SUMMARY:{ics_text(session.title)}",
        f"DESCRIPTION:{ics_text(chr(10).join(description))}",
        f"URL:{session_url}",
        "STATUS:"
        + ("CANCELLED" if session.status == LiveSession.Status.CANCELLED else "CONFIRMED"),
    ]
    if location:
        lines.append(f"LOCATION:{ics_text(location)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(f"{ics_fold(line)}\r\n" for line in lines)


@login_required
@require_GET
def session_ics(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for_trainee(pk=pk)
    joining_url = (
        session.joining_url
        if selectors.user_can_see_joining_link(user=request.user, session=session)
        else ""
    )
    body = session_calendar(
        session=session,
        session_url=request.build_absolute_uri(
            reverse("imh_courses:session_detail", args=[session.pk])
        ),
        joining_url=joining_url,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response


# The attendance register.


@login_required
@require_http_methods(["GET", "POST"])
def session_register(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for_marker(user=request.user, pk=pk)
    bookings = list(selectors.session_register(session=session))
    now = timezone.now()
    marking_open = session.status == LiveSession.Status.SCHEDULED and now >= session.starts_at
    error = None
    if request.method == "POST":
        marks = {
            booking.pk: request.POST[f"attendance-{booking.pk}"]
            for booking in bookings
            if request.POST.get(f"attendance-{booking.pk}")
        }
        try:
            changed = services.attendance_mark(session=session, marks=marks, actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            error = _error_text(exc)
        else:
            count = len(changed)
            messages.success(
                request,
                ngettext(
                    "Attendance saved: %(count)s person updated.",
                    "Attendance saved: %(count)s people updated.",
                    count,
                )
                % {"count": count}
                if count
                else gettext("Attendance saved: nothing had changed."),
            )
            return redirect("imh_courses:session_register", pk=session.pk)
    rows = [
        {
            "booking": booking,
            "name": person_name(booking.user),
            "chosen": request.POST.get(f"attendance-{booking.pk}", booking.attendance)
            if request.method == "POST"
            else booking.attendance,
        }
        for booking in bookings
    ]
    counts = dict.fromkeys(Booking.Attendance.values, 0)
    for booking in bookings:
        if booking.attendance:
            counts[booking.attendance] += 1
    return render(
        request,
        "imh_courses/sessions/register.html",
        {
            "session": session,
            "course": session.course,
            "when": selectors.session_when_text(session=session),
            "rows": rows,
            "choices": Booking.Attendance.choices,
            "counts": counts,
            "unmarked": sum(1 for booking in bookings if not booking.attendance),
            "marking_open": marking_open,
            "opens_at": selectors.uk_datetime_text(session.starts_at),
            "error": error,
            "crumbs": [
                *_crumbs(session),
                (session.title, reverse("imh_courses:session_detail", args=[session.pk])),
            ],
        },
        status=400 if error else 200,
    )


urlpatterns = [
    path("sessions/<int:pk>/", session_detail, name="session_detail"),
    path("sessions/<int:pk>/book/", session_book, name="session_book"),
    path("sessions/<int:pk>/cancel/", session_cancel_booking, name="session_cancel_booking"),
    path("sessions/<int:pk>/calendar.ics", session_ics, name="session_ics"),
    path("sessions/<int:pk>/register/", session_register, name="session_register"),
]
