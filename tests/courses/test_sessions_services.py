"""Live-session services: booking, the waiting list, approval, cancelling, attendance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from imh_courses.models import Booking, CourseCompletion, Enrolment, LiveSession
from imh_courses.selectors import sessions as selectors
from imh_courses.services import sessions as services
from imh_courses.signals import booking_awaiting_approval
from tests.courses.factories import create_course, in_days
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


# Set-up helpers, shared with the other live-session test modules.


def make_session(course, **fields) -> LiveSession:
    fields.setdefault("title", "Understanding babies' cues")
    fields.setdefault("starts_at", in_days(7))
    fields.setdefault("ends_at", fields["starts_at"] + timedelta(hours=2))
    if "joining_url" not in fields:
        fields.setdefault("venue", "Room 2, Riverside Children's Centre, Leeds LS1 4AP")
    fields.setdefault("capacity", 2)
    return LiveSession.objects.create(course=course, **fields)


def enrol(user, course, **fields) -> Enrolment:
    fields.setdefault("enrolled_at", timezone.now() - timedelta(days=1))
    return Enrolment.objects.create(user=user, course=course, **fields)


def make_trainee(course, **user_fields):
    user = UserFactory(**user_fields)
    enrol(user, course)
    return user


def make_educator():
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Educators"))
    return user


@pytest.fixture
def send_on_commit(django_capture_on_commit_callbacks):
    """Run the after-commit callbacks (emails, signals) of the block, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def course(db):
    return create_course(modules=1, lessons_per_module=1)


@pytest.fixture
def session(course):
    return make_session(course, capacity=1)


def statuses(session) -> list[tuple[str, str]]:
    return [
        (booking.user.username, booking.status)
        for booking in Booking.objects.filter(session=session).select_related("user")
    ]


def error_code(excinfo) -> str:
    return excinfo.value.error_list[0].code


# Booking.


class TestBooking:
    def test_a_free_place_is_confirmed_and_emailed(self, session, course, send_on_commit):
        trainee = make_trainee(course)
        with send_on_commit():
            booking = services.booking_create(session=session, user=trainee)
        assert booking.status == Booking.Status.CONFIRMED
        assert [message.to for message in mail.outbox] == [[trainee.email]]
        assert "Your place is confirmed." in mail.outbox[0].body
        assert "Room 2, Riverside" in mail.outbox[0].body

    def test_a_full_session_puts_people_on_the_waiting_list_in_order(self, session, course):
        first, second, third = (make_trainee(course) for _ in range(3))
        for trainee in (first, second, third):
            services.booking_create(session=session, user=trainee)
        assert statuses(session) == [
            (first.username, "confirmed"),
            (second.username, "waitlisted"),
            (third.username, "waitlisted"),
        ]
        positions = [
            selectors.waiting_list_position(booking=booking)
            for booking in Booking.objects.filter(session=session, status="waitlisted")
        ]
        assert positions == [1, 2]

    def test_the_waiting_list_email_says_so(self, session, course, send_on_commit):
        services.booking_create(session=session, user=make_trainee(course))
        waiting = make_trainee(course)
        with send_on_commit():
            services.booking_create(session=session, user=waiting)
        assert "you are on the waiting list (number 1)" in mail.outbox[-1].body

    def test_not_enrolled_is_refused_clearly(self, session):
        stranger = UserFactory()
        with pytest.raises(ValidationError) as excinfo:
            services.booking_create(session=session, user=stranger)
        assert error_code(excinfo) == "not_enrolled"
        assert "You need to be enrolled on Infant mental health foundations" in str(excinfo.value)
        assert not Booking.objects.exists()

    def test_a_withdrawn_enrolment_does_not_count(self, session, course):
        user = UserFactory()
        enrol(user, course, status=Enrolment.Status.WITHDRAWN)
        with pytest.raises(ValidationError) as excinfo:
            services.booking_create(session=session, user=user)
        assert error_code(excinfo) == "not_enrolled"

    def test_before_the_window_opens(self, course):
        opens = in_days(2)
        session = make_session(course, booking_opens_at=opens)
        with pytest.raises(ValidationError) as excinfo:
            services.booking_create(session=session, user=make_trainee(course))
        assert error_code(excinfo) == "booking_not_open"
        assert "not open yet" in str(excinfo.value)
        assert selectors.uk_datetime_text(opens) in str(excinfo.value)
        assert not Booking.objects.exists()

    def test_after_the_window_closes(self, course):
        session = make_session(course, booking_closes_at=in_days(-1))
        with pytest.raises(ValidationError) as excinfo:
            services.booking_create(session=session, user=make_trainee(course))
        assert error_code(excinfo) == "booking_closed"
        assert "Booking for this session has closed" in str(excinfo.value)
        assert not Booking.objects.exists()

    def test_booking_closes_at_the_start_by_default(self, session, course):
        trainee = make_trainee(course)
        with (
            time_machine.travel(session.starts_at + timedelta(minutes=1), tick=False),
            pytest.raises(ValidationError) as excinfo,
        ):
            services.booking_create(session=session, user=trainee)
        assert error_code(excinfo) == "session_started"
        assert "already started" in str(excinfo.value)

    def test_a_cancelled_session_cannot_be_booked(self, course):
        session = make_session(course, status=LiveSession.Status.CANCELLED)
        with pytest.raises(ValidationError) as excinfo:
            services.booking_create(session=session, user=make_trainee(course))
        assert error_code(excinfo) == "session_cancelled"
        assert "has been cancelled" in str(excinfo.value)

    def test_booking_twice_is_refused(self, session, course):
        trainee = make_trainee(course)
        services.booking_create(session=session, user=trainee)
        with pytest.raises(ValidationError) as excinfo:
            services.booking_create(session=session, user=trainee)
        assert error_code(excinfo) == "already_booked"
        assert "You already have a place" in str(excinfo.value)
        assert Booking.objects.count() == 1

    def test_joining_the_waiting_list_twice_is_refused(self, session, course):
        services.booking_create(session=session, user=make_trainee(course))
        waiting = make_trainee(course)
        services.booking_create(session=session, user=waiting)
        with pytest.raises(ValidationError, match="already on the waiting list"):
            services.booking_create(session=session, user=waiting)

    def test_booking_again_after_cancelling(self, session, course):
        trainee = make_trainee(course)
        booking = services.booking_create(session=session, user=trainee)
        services.booking_cancel(booking=booking, user=trainee)
        again = services.booking_create(session=session, user=trainee)
        assert again.status == Booking.Status.CONFIRMED


# Cancelling and the waiting list.


class TestCancelling:
    def test_cancelling_offers_the_place_to_the_next_in_line(self, session, course, send_on_commit):
        first, second, third = (make_trainee(course) for _ in range(3))
        booking = services.booking_create(session=session, user=first)
        services.booking_create(session=session, user=second)
        services.booking_create(session=session, user=third)
        mail.outbox.clear()
        with send_on_commit():
            services.booking_cancel(booking=booking, user=first)
        assert statuses(session) == [
            (first.username, "cancelled"),
            (second.username, "confirmed"),
            (third.username, "waitlisted"),
        ]
        assert [message.to for message in mail.outbox] == [[second.email]]
        assert mail.outbox[0].subject == f"A place has come up: {session.title}"
        assert "A place has come up" in mail.outbox[0].body
        assert Booking.objects.get(user=first).cancelled_at is not None

    def test_leaving_the_waiting_list_promotes_nobody(self, session, course):
        first, second, third = (make_trainee(course) for _ in range(3))
        services.booking_create(session=session, user=first)
        waiting = services.booking_create(session=session, user=second)
        services.booking_create(session=session, user=third)
        services.booking_cancel(booking=waiting, user=second)
        assert statuses(session) == [
            (first.username, "confirmed"),
            (second.username, "cancelled"),
            (third.username, "waitlisted"),
        ]

    def test_a_confirmed_place_cannot_be_cancelled_after_the_cut_off(self, session, course):
        first, second = make_trainee(course), make_trainee(course)
        booking = services.booking_create(session=session, user=first)
        services.booking_create(session=session, user=second)
        cutoff = session.starts_at - timedelta(hours=session.cancellation_cutoff_hours)
        with (
            time_machine.travel(cutoff + timedelta(minutes=1), tick=False),
            pytest.raises(ValidationError) as excinfo,
        ):
            services.booking_cancel(booking=booking, user=first)
        assert error_code(excinfo) == "cancellation_closed"
        assert "You can no longer cancel your place online" in str(excinfo.value)
        assert "48 hours before the session starts" in str(excinfo.value)
        assert statuses(session) == [(first.username, "confirmed"), (second.username, "waitlisted")]

    def test_the_waiting_list_can_always_be_left(self, session, course):
        services.booking_create(session=session, user=make_trainee(course))
        second = make_trainee(course)
        waiting = services.booking_create(session=session, user=second)
        with time_machine.travel(session.starts_at - timedelta(hours=1), tick=False):
            left = services.booking_cancel(booking=waiting, user=second)
        assert left.status == Booking.Status.CANCELLED

    def test_only_the_booker_can_cancel(self, session, course):
        trainee = make_trainee(course)
        booking = services.booking_create(session=session, user=trainee)
        with pytest.raises(PermissionDenied):
            services.booking_cancel(booking=booking, user=UserFactory())
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CONFIRMED

    def test_cancelling_twice_is_refused(self, session, course):
        trainee = make_trainee(course)
        booking = services.booking_create(session=session, user=trainee)
        services.booking_cancel(booking=booking, user=trainee)
        with pytest.raises(ValidationError, match="already ended"):
            services.booking_cancel(booking=booking, user=trainee)


# Manager approval.


class TestApproval:
    @pytest.fixture
    def session(self, course):
        return make_session(course, capacity=1, requires_manager_approval=True)

    @pytest.fixture
    def announced(self):
        bookings = []

        def receiver(sender, booking, **kwargs):
            bookings.append(booking)

        booking_awaiting_approval.connect(receiver, sender=Booking, weak=False)
        yield bookings
        booking_awaiting_approval.disconnect(receiver, sender=Booking)

    def test_an_awaiting_booking_holds_the_seat_and_is_announced(
        self, session, course, announced, send_on_commit
    ):
        first, second = make_trainee(course), make_trainee(course)
        with send_on_commit():
            awaiting = services.booking_create(session=session, user=first)
            services.booking_create(session=session, user=second)
        assert statuses(session) == [
            (first.username, "awaiting_approval"),
            (second.username, "waitlisted"),
        ]
        assert announced == [awaiting]
        assert "Your manager needs to approve it" in mail.outbox[0].body

    def test_the_signal_waits_for_the_commit(self, session, course, announced):
        services.booking_create(session=session, user=make_trainee(course))
        assert announced == []

    def test_approving_confirms_and_tells_the_trainee(self, session, course, send_on_commit):
        trainee = make_trainee(course)
        manager = UserFactory()
        booking = services.booking_create(session=session, user=trainee)
        mail.outbox.clear()
        with send_on_commit():
            approved = services.booking_approve(booking=booking, actor=manager)
        assert approved.status == Booking.Status.CONFIRMED
        assert approved.approval_decided_by == manager
        assert [message.to for message in mail.outbox] == [[trainee.email]]
        assert "Your manager has approved your booking" in mail.outbox[0].body

    def test_declining_frees_the_seat_for_the_waiting_list(
        self, session, course, announced, send_on_commit
    ):
        first, second = make_trainee(course), make_trainee(course)
        booking = services.booking_create(session=session, user=first)
        services.booking_create(session=session, user=second)
        mail.outbox.clear()
        with send_on_commit():
            services.booking_decline(booking=booking, actor=UserFactory())
        assert statuses(session) == [
            (first.username, "declined"),
            (second.username, "awaiting_approval"),
        ]
        # The promoted person's booking needs approval in its turn.
        assert [b.user for b in announced] == [second]
        assert sorted(message.to[0] for message in mail.outbox) == sorted(
            [first.email, second.email]
        )

    def test_only_awaiting_bookings_can_be_decided(self, session, course):
        trainee = make_trainee(course)
        booking = services.booking_create(session=session, user=trainee)
        services.booking_approve(booking=booking, actor=UserFactory())
        with pytest.raises(ValidationError, match="no longer waiting for approval"):
            services.booking_decline(booking=booking, actor=UserFactory())


# Attendance.


class TestAttendance:
    @pytest.fixture
    def course(self, db):
        return create_course(
            modules=1,
            lessons_per_module=1,
            required_live_sessions=1,
            require_all_lessons=False,
            require_assessments=False,
        )

    @pytest.fixture
    def facilitator(self):
        return UserFactory()

    @pytest.fixture
    def session(self, course, facilitator):
        return make_session(course, capacity=3, facilitator=facilitator)

    @pytest.fixture
    def booked(self, session, course):
        return [
            services.booking_create(session=session, user=make_trainee(course)) for _ in range(2)
        ]

    def started(self, session):
        return time_machine.travel(session.starts_at + timedelta(minutes=30), tick=False)

    def test_marking_opens_when_the_session_starts(self, session, booked, facilitator):
        with pytest.raises(ValidationError) as excinfo:
            services.attendance_mark(
                session=session, marks={booked[0].pk: "attended"}, actor=facilitator
            )
        assert error_code(excinfo) == "marking_not_open"
        assert "once the session starts" in str(excinfo.value)
        booked[0].refresh_from_db()
        assert booked[0].attendance == ""

    def test_attending_in_full_completes_the_course(self, session, booked, facilitator, course):
        attended, partial = booked
        with self.started(session):
            changed = services.attendance_mark(
                session=session,
                marks={attended.pk: "attended", partial.pk: "partial"},
                actor=facilitator,
            )
        assert {booking.pk for booking in changed} == {attended.pk, partial.pk}
        attended.refresh_from_db()
        assert attended.attendance == Booking.Attendance.ATTENDED
        assert attended.attendance_marked_by == facilitator
        assert attended.attendance_marked_at is not None
        completed = CourseCompletion.objects.filter(course=course)
        assert [completion.user_id for completion in completed] == [attended.user_id]
        enrolment = Enrolment.objects.get(user=attended.user, course=course)
        assert enrolment.status == Enrolment.Status.COMPLETED

    def test_correcting_a_mark(self, session, booked, facilitator):
        booking = booked[0]
        with self.started(session):
            services.attendance_mark(
                session=session, marks={booking.pk: "no_show"}, actor=facilitator
            )
            services.attendance_mark(
                session=session, marks={booking.pk: "partial"}, actor=facilitator
            )
        booking.refresh_from_db()
        assert booking.attendance == "partial"

    @pytest.mark.parametrize("who", ["educator", "superuser"])
    def test_educators_and_superusers_can_mark(self, session, booked, who):
        actor = make_educator() if who == "educator" else UserFactory(is_superuser=True)
        with self.started(session):
            changed = services.attendance_mark(
                session=session, marks={booked[0].pk: "attended"}, actor=actor
            )
        assert len(changed) == 1

    def test_others_cannot_mark(self, session, booked):
        trainee = booked[1].user
        with self.started(session), pytest.raises(PermissionDenied):
            services.attendance_mark(
                session=session, marks={booked[0].pk: "attended"}, actor=trainee
            )
        booked[0].refresh_from_db()
        assert booked[0].attendance == ""

    def test_only_confirmed_places_of_this_session(self, session, booked, facilitator, course):
        other = services.booking_create(
            session=make_session(course, title="Another date"), user=make_trainee(course)
        )
        with self.started(session), pytest.raises(ValidationError) as excinfo:
            services.attendance_mark(
                session=session,
                marks={booked[0].pk: "attended", other.pk: "attended"},
                actor=facilitator,
            )
        assert error_code(excinfo) == "booking_not_confirmed"
        assert not Booking.objects.exclude(attendance="").exists()

    def test_unknown_attendance_is_refused(self, session, booked, facilitator):
        with self.started(session), pytest.raises(ValidationError) as excinfo:
            services.attendance_mark(
                session=session, marks={booked[0].pk: "yes"}, actor=facilitator
            )
        assert error_code(excinfo) == "invalid_attendance"


# Educators' changes to sessions.


class TestSessionChanges:
    def test_cancelling_a_session_tells_everyone_booked_or_waiting(
        self, session, course, send_on_commit
    ):
        first, second = make_trainee(course), make_trainee(course)
        services.booking_create(session=session, user=first)
        services.booking_create(session=session, user=second)
        mail.outbox.clear()
        with send_on_commit():
            services.session_cancel(session=session, actor=make_educator())
        session.refresh_from_db()
        assert session.status == LiveSession.Status.CANCELLED
        assert statuses(session) == [(first.username, "cancelled"), (second.username, "cancelled")]
        assert sorted(message.to[0] for message in mail.outbox) == sorted(
            [first.email, second.email]
        )
        assert all(message.subject == f"Cancelled: {session.title}" for message in mail.outbox)
        assert "place on the waiting list has been cancelled" in next(
            message.body for message in mail.outbox if message.to == [second.email]
        )

    def test_only_session_managers_can_cancel(self, session, course):
        with pytest.raises(PermissionDenied):
            services.session_cancel(session=session, actor=make_trainee(course))
        session.refresh_from_db()
        assert session.status == LiveSession.Status.SCHEDULED

    def test_a_started_session_cannot_be_cancelled(self, session):
        with (
            time_machine.travel(session.starts_at + timedelta(minutes=5), tick=False),
            pytest.raises(ValidationError, match="already started"),
        ):
            services.session_cancel(session=session, actor=make_educator())

    def test_capacity_cannot_drop_below_the_places_taken(self, course):
        session = make_session(course, capacity=2)
        for _ in range(2):
            services.booking_create(session=session, user=make_trainee(course))
        session.capacity = 1
        with pytest.raises(ValidationError) as excinfo:
            services.session_save(session=session, actor=make_educator())
        assert "2 places are already taken" in str(excinfo.value.message_dict["capacity"])
        session.refresh_from_db()
        assert session.capacity == 2

    def test_more_places_go_to_the_waiting_list(self, session, course, send_on_commit):
        first, second, third = (make_trainee(course) for _ in range(3))
        for trainee in (first, second, third):
            services.booking_create(session=session, user=trainee)
        session.capacity = 2
        with send_on_commit():
            services.session_save(session=session, actor=make_educator())
        assert statuses(session) == [
            (first.username, "confirmed"),
            (second.username, "confirmed"),
            (third.username, "waitlisted"),
        ]

    def test_a_new_time_is_emailed_to_everyone_booked(self, session, course, send_on_commit):
        trainee = make_trainee(course)
        services.booking_create(session=session, user=trainee)
        mail.outbox.clear()
        session.starts_at += timedelta(days=1)
        session.ends_at += timedelta(days=1)
        with send_on_commit():
            services.session_save(session=session, actor=make_educator())
        assert [message.to for message in mail.outbox] == [[trainee.email]]
        assert "(start time, end time)" in mail.outbox[0].body
        assert selectors.session_when_text(session=session) in mail.outbox[0].body

    def test_trainees_cannot_save_sessions(self, course):
        session = LiveSession(
            course=course,
            title="Sneaky",
            starts_at=in_days(3),
            ends_at=in_days(3.1),
            venue="Somewhere",
        )
        with pytest.raises(PermissionDenied):
            services.session_save(session=session, actor=make_trainee(course))
        assert not LiveSession.objects.exists()


# Reads.


class TestSelectors:
    def test_upcoming_sessions_count_places_in_one_query(self, course, django_assert_num_queries):
        full = make_session(course, title="Full", capacity=1, starts_at=in_days(3))
        roomy = make_session(course, title="Roomy", capacity=5, starts_at=in_days(4))
        make_session(course, title="Past", starts_at=in_days(-3))
        make_session(course, title="Off", status=LiveSession.Status.CANCELLED)
        for _ in range(2):
            services.booking_create(session=full, user=make_trainee(course))
        services.booking_create(session=roomy, user=make_trainee(course))
        with django_assert_num_queries(1):
            sessions = list(selectors.sessions_upcoming_for_course(course=course))
        assert [(s.title, s.places_left, s.waiting_count) for s in sessions] == [
            ("Full", 0, 1),
            ("Roomy", 4, 0),
        ]

    def test_the_joining_link_is_only_for_a_confirmed_place(self, course):
        session = make_session(course, capacity=1, joining_url="https://teams.example.org/j/1")
        confirmed, waiting, stranger = make_trainee(course), make_trainee(course), UserFactory()
        services.booking_create(session=session, user=confirmed)
        services.booking_create(session=session, user=waiting)
        assert selectors.user_can_see_joining_link(user=confirmed, session=session)
        assert not selectors.user_can_see_joining_link(user=waiting, session=session)
        assert not selectors.user_can_see_joining_link(user=stranger, session=session)

    def test_bookings_awaiting_approval_for_given_people(self, course):
        session = make_session(course, capacity=3, requires_manager_approval=True)
        mine, theirs = make_trainee(course), make_trainee(course)
        booking = services.booking_create(session=session, user=mine)
        services.booking_create(session=session, user=theirs)
        assert list(selectors.bookings_awaiting_approval(user_ids=[mine.pk])) == [booking]

    def test_uk_times_in_summer_and_winter(self):
        summer = datetime(2026, 6, 3, 13, 0, tzinfo=UTC)
        winter = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
        assert selectors.uk_datetime_text(summer) == "Wednesday 3 June 2026 at 2pm"
        assert selectors.uk_datetime_text(winter) == "Wednesday 2 December 2026 at 9:30am"
