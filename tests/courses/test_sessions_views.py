"""Live-session pages, the calendar file, the attendance register and the admin."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from imh_courses.models import Booking, CourseCompletion, LiveSession
from imh_courses.services import sessions as services
from imh_courses.views.sessions import ics_fold, ics_text
from tests.courses.factories import create_course, in_days
from tests.courses.test_sessions_services import (
    make_educator,
    make_session,
    make_trainee,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

JOINING_URL = "https://teams.example.org/l/meetup-join/abc123"


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def page_text(response) -> str:
    return response.content.decode()


@pytest.fixture
def course(db):
    return create_course(modules=1, lessons_per_module=1)


@pytest.fixture
def session(course):
    return make_session(course, capacity=1)


@pytest.fixture
def trainee(course):
    return make_trainee(course, first_name="Priya", last_name="Shah")


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def url(name: str, session: LiveSession) -> str:
    return reverse(f"imh_courses:{name}", args=[session.pk])


class TestSignedOut:
    @pytest.mark.parametrize(
        "name",
        [
            "session_detail",
            "session_book",
            "session_cancel_booking",
            "session_ics",
            "session_register",
        ],
    )
    def test_every_page_asks_to_sign_in(self, client, session, name):
        response = (
            client.post(url(name, session)) if "book" in name else client.get(url(name, session))
        )
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


class TestSessionPage:
    def test_shows_the_session_in_uk_time(self, as_user, course, trainee):
        # 13:00 UTC on a summer date is 2pm in the UK.
        starts = datetime(2030, 6, 5, 13, 0, tzinfo=UTC)
        session = make_session(
            course,
            kind=LiveSession.Kind.WEBINAR,
            title="Sleep and settling",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1, minutes=30),
            capacity=12,
        )
        response = as_user(trainee).get(url("session_detail", session))
        text = page_text(response)
        assert response.status_code == 200
        assert "Sleep and settling" in text
        assert "Webinar" in text
        assert "Wednesday 5 June 2030, 2pm to 3:30pm (UK time)" in text
        assert escape("Room 2, Riverside Children's Centre") in text
        assert "12 of 12 places left" in text
        assert "Book a place" in text

    def test_a_session_of_an_unpublished_course_is_not_found(self, as_user, trainee):
        draft = create_course(title="Draft course", modules=0, publish=False, live=False)
        session = make_session(draft)
        assert as_user(trainee).get(url("session_detail", session)).status_code == 404

    def test_not_enrolled_people_are_told_to_enrol(self, as_user, session):
        response = as_user(UserFactory()).get(url("session_detail", session))
        text = page_text(response)
        assert "You need to be enrolled on Infant mental health foundations" in text
        assert "Book a place" not in text

    def test_booking_not_open_yet(self, as_user, course, trainee):
        session = make_session(course, booking_opens_at=in_days(3))
        text = page_text(as_user(trainee).get(url("session_detail", session)))
        assert "Booking for this session is not open yet" in text
        assert "Book a place" not in text

    def test_a_cancelled_session_says_so(self, as_user, course, trainee):
        session = make_session(course, status=LiveSession.Status.CANCELLED)
        text = page_text(as_user(trainee).get(url("session_detail", session)))
        assert "This session has been cancelled" in text
        assert "Book a place" not in text

    def test_the_register_link_shows_only_to_those_who_may_mark(self, as_user, session, trainee):
        assert "Attendance register" not in page_text(
            as_user(trainee).get(url("session_detail", session))
        )
        assert "Attendance register" in page_text(
            as_user(make_educator()).get(url("session_detail", session))
        )


class TestJoiningLink:
    @pytest.fixture
    def session(self, course):
        return make_session(course, capacity=1, joining_url=JOINING_URL)

    def test_hidden_before_booking(self, as_user, session, trainee):
        text = page_text(as_user(trainee).get(url("session_detail", session)))
        assert JOINING_URL not in text
        assert "The joining link shows here once you have a confirmed place" in text

    def test_shown_with_a_confirmed_place(self, as_user, session, trainee):
        services.booking_create(session=session, user=trainee)
        assert JOINING_URL in page_text(as_user(trainee).get(url("session_detail", session)))

    def test_hidden_on_the_waiting_list(self, as_user, session, course, trainee):
        services.booking_create(session=session, user=make_trainee(course))
        services.booking_create(session=session, user=trainee)
        text = page_text(as_user(trainee).get(url("session_detail", session)))
        assert JOINING_URL not in text
        assert "You are number 1 on the waiting list" in text

    def test_hidden_while_waiting_for_approval(self, as_user, course, trainee):
        session = make_session(course, joining_url=JOINING_URL, requires_manager_approval=True)
        services.booking_create(session=session, user=trainee)
        text = page_text(as_user(trainee).get(url("session_detail", session)))
        assert JOINING_URL not in text
        assert "Waiting for your manager's approval" in text


class TestBookingAndCancelling:
    def test_booking_a_place(self, as_user, session, trainee):
        client = as_user(trainee)
        response = client.post(url("session_book", session))
        assert response.status_code == 302
        assert response["Location"] == url("session_detail", session)
        assert messages_of(response) == ["Your place is booked."]
        assert Booking.objects.get(user=trainee).status == Booking.Status.CONFIRMED
        text = page_text(client.get(url("session_detail", session)))
        assert "Place confirmed" in text
        assert "Cancel your place" in text

    def test_booking_needs_post(self, as_user, session, trainee):
        assert as_user(trainee).get(url("session_book", session)).status_code == 405
        assert not Booking.objects.exists()

    def test_booking_needs_the_csrf_token(self, session, trainee):
        client = Client(enforce_csrf_checks=True)
        client.force_login(trainee)
        assert client.post(url("session_book", session)).status_code == 403
        assert not Booking.objects.exists()

    def test_a_full_session_offers_the_waiting_list(self, as_user, session, course, trainee):
        services.booking_create(session=session, user=make_trainee(course))
        client = as_user(trainee)
        text = page_text(client.get(url("session_detail", session)))
        assert "Fully booked" in text
        assert "Join the waiting list" in text
        response = client.post(url("session_book", session))
        assert messages_of(response) == [
            "The session is full, so you are on the waiting list (number 1). We will email "
            "you if a place comes up."
        ]
        assert Booking.objects.get(user=trainee).status == Booking.Status.WAITLISTED

    def test_not_enrolled_gets_a_clear_message_and_nothing_changes(self, as_user, session):
        response = as_user(UserFactory()).post(url("session_book", session))
        assert messages_of(response) == [
            "You need to be enrolled on Infant mental health foundations to book this "
            "session. Enrol on the course first."
        ]
        assert not Booking.objects.exists()

    def test_booking_after_it_closed(self, as_user, course, trainee):
        session = make_session(course, booking_closes_at=in_days(-1))
        response = as_user(trainee).post(url("session_book", session))
        assert messages_of(response)[0].startswith("Booking for this session has closed.")
        assert not Booking.objects.exists()

    def test_cancelling_promotes_the_next_person(self, as_user, session, course, trainee):
        waiting = make_trainee(course)
        services.booking_create(session=session, user=trainee)
        services.booking_create(session=session, user=waiting)
        mail.outbox.clear()
        response = as_user(trainee).post(url("session_cancel_booking", session))
        assert messages_of(response) == ["You have cancelled your place."]
        assert Booking.objects.get(user=waiting).status == Booking.Status.CONFIRMED

    def test_after_the_cut_off_the_place_cannot_be_cancelled(self, as_user, session, trainee):
        services.booking_create(session=session, user=trainee)
        client = as_user(trainee)
        with time_machine.travel(session.starts_at - timedelta(hours=2), tick=False):
            text = page_text(client.get(url("session_detail", session)))
            response = client.post(url("session_cancel_booking", session))
        assert "Cancellations closed on" in text
        assert "Cancel your place" not in text
        assert "You can no longer cancel your place online" in messages_of(response)[0]
        assert Booking.objects.get(user=trainee).status == Booking.Status.CONFIRMED

    def test_cancelling_without_a_booking(self, as_user, session, trainee):
        response = as_user(trainee).post(url("session_cancel_booking", session))
        assert messages_of(response) == ["You do not have a booking for this session."]


class TestCalendarFile:
    def ics(self, client, session) -> tuple[object, str]:
        response = client.get(url("session_ics", session))
        return response, response.content.decode()

    def test_a_valid_event(self, as_user, course, trainee):
        starts = datetime(2030, 6, 5, 13, 0, tzinfo=UTC)
        session = make_session(
            course,
            title="Feeding, sleep; and crying",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            venue="Room 2\nRiverside Centre, Leeds",
        )
        response, body = self.ics(as_user(trainee), session)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        assert 'filename="session-' in response["Content-Disposition"]
        assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
        assert body.endswith("END:VEVENT\r\nEND:VCALENDAR\r\n")
        # Every line ends in CRLF: no bare line feeds.
        assert "\n" not in body.replace("\r\n", "")
        lines = body.split("\r\n")
        assert f"UID:livesession-{session.pk}@testserver" in lines
        assert any(re.fullmatch(r"DTSTAMP:\d{8}T\d{6}Z", line) for line in lines)
        assert "DTSTART:20300605T130000Z" in lines
        assert "DTEND:20300605T150000Z" in lines
        assert "SUMMARY:Feeding\\, sleep\\; and crying" in lines
        assert "LOCATION:Room 2\\nRiverside Centre\\, Leeds" in lines
        assert "STATUS:CONFIRMED" in lines
        assert all(len(line.encode()) <= 75 for line in lines)

    def test_the_joining_link_only_for_a_confirmed_place(self, as_user, course, trainee):
        session = make_session(course, capacity=1, joining_url=JOINING_URL)
        client = as_user(trainee)
        _, before = self.ics(client, session)
        assert JOINING_URL not in before.replace("\r\n ", "")
        assert "LOCATION" not in before
        services.booking_create(session=session, user=trainee)
        _, after = self.ics(client, session)
        assert f"LOCATION:{JOINING_URL}" in after.replace("\r\n ", "")

    def test_text_escaping_and_folding(self):
        assert ics_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"
        line = "DESCRIPTION:" + "é" * 80
        folded = ics_fold(line)
        pieces = folded.split("\r\n ")
        assert "".join(pieces) == line
        assert all(len(piece.encode()) <= 75 for piece in pieces[:1])
        assert all(len(piece.encode()) <= 74 for piece in pieces[1:])


class TestRegister:
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
        return make_session(course, capacity=5, facilitator=facilitator)

    @pytest.fixture
    def bookings(self, session, course, trainee):
        others = [make_trainee(course, last_name="Adams")]
        return [services.booking_create(session=session, user=u) for u in [trainee, *others]]

    def test_not_found_for_trainees_and_strangers(self, as_user, session, bookings, trainee):
        assert as_user(trainee).get(url("session_register", session)).status_code == 404
        assert as_user(UserFactory()).post(url("session_register", session)).status_code == 404

    @pytest.mark.parametrize("who", ["facilitator", "educator", "superuser"])
    def test_open_to_facilitator_educators_and_superusers(
        self, as_user, session, bookings, facilitator, who
    ):
        user = {
            "facilitator": facilitator,
            "educator": make_educator(),
            "superuser": UserFactory(is_superuser=True),
        }[who]
        response = as_user(user).get(url("session_register", session))
        assert response.status_code == 200
        assert "Priya Shah" in page_text(response)

    def test_before_the_start_it_says_when_marking_opens(
        self, as_user, session, bookings, facilitator
    ):
        text = page_text(as_user(facilitator).get(url("session_register", session)))
        assert "Marking opens when the session starts" in text
        assert 'type="radio"' not in text

    def test_marking_attendance_completes_the_course(
        self, as_user, session, bookings, facilitator, trainee, course
    ):
        attended, partial = bookings
        client = as_user(facilitator)
        with time_machine.travel(session.starts_at + timedelta(hours=1), tick=False):
            text = page_text(client.get(url("session_register", session)))
            assert text.count('type="radio"') == 6
            response = client.post(
                url("session_register", session),
                {f"attendance-{attended.pk}": "attended", f"attendance-{partial.pk}": "partial"},
            )
        assert response.status_code == 302
        assert messages_of(response) == ["Attendance saved: 2 people updated."]
        attended.refresh_from_db()
        assert attended.attendance == "attended"
        assert list(CourseCompletion.objects.values_list("user_id", flat=True)) == [trainee.pk]

    def test_a_bad_value_is_refused(self, as_user, session, bookings, facilitator):
        with time_machine.travel(session.starts_at + timedelta(hours=1), tick=False):
            response = as_user(facilitator).post(
                url("session_register", session), {f"attendance-{bookings[0].pk}": "maybe"}
            )
        assert response.status_code == 400
        assert "Choose attended, partially attended or did not attend" in page_text(response)
        assert not Booking.objects.exclude(attendance="").exists()

    def test_queries_do_not_grow_with_attendees(
        self, as_user, session, course, facilitator, django_assert_max_num_queries
    ):
        client = as_user(facilitator)
        register = url("session_register", session)
        client.get(register)
        for _ in range(5):
            services.booking_create(session=session, user=make_trainee(course))
        with django_assert_max_num_queries(12):
            assert client.get(register).status_code == 200


# The session form's inline competency mappings, left empty.
NO_COMPETENCY_MAPPINGS = {
    "competency_mappings-TOTAL_FORMS": "0",
    "competency_mappings-INITIAL_FORMS": "0",
    "competency_mappings-MIN_NUM_FORMS": "0",
    "competency_mappings-MAX_NUM_FORMS": "1000",
}


class TestAdmin:
    def test_educators_list_sessions_with_places(self, as_user, session, course):
        services.booking_create(session=session, user=make_trainee(course))
        services.booking_create(session=session, user=make_trainee(course))
        response = as_user(make_educator()).get(reverse("courses_live_sessions:index"))
        text = page_text(response)
        assert response.status_code == 200
        assert session.title.replace("'", "&#x27;") in text
        assert "1 / 1" in text
        assert url("session_register", session) in text

    def test_educators_create_a_session(self, as_user, course):
        facilitator = make_educator()
        response = as_user(make_educator()).post(
            reverse("courses_live_sessions:add"),
            {
                "course": course.pk,
                "kind": "workshop",
                "title": "Serve and return",
                "description": "",
                "starts_at": "2030-06-05 14:00",
                "ends_at": "2030-06-05 16:00",
                "venue": "Hillside Library",
                "joining_url": "",
                "capacity": "15",
                "booking_opens_at": "",
                "booking_closes_at": "",
                "cancellation_cutoff_hours": "24",
                "facilitator": facilitator.pk,
                **NO_COMPETENCY_MAPPINGS,
            },
        )
        assert response.status_code == 302, page_text(response)
        session = LiveSession.objects.get(title="Serve and return")
        # The form's times are UK time: 2pm in June is 13:00 UTC.
        assert session.starts_at == datetime(2030, 6, 5, 13, 0, tzinfo=UTC)
        assert session.status == LiveSession.Status.SCHEDULED
        assert session.facilitator == facilitator

    def test_capacity_below_places_taken_shows_on_the_form(self, as_user, course):
        session = make_session(course, capacity=2)
        for _ in range(2):
            services.booking_create(session=session, user=make_trainee(course))
        client = as_user(make_educator())
        response = client.post(
            reverse("courses_live_sessions:edit", args=[session.pk]),
            {
                "course": course.pk,
                "kind": session.kind,
                "title": session.title,
                "description": "",
                "starts_at": "2030-06-05 14:00",
                "ends_at": "2030-06-05 16:00",
                "venue": session.venue,
                "joining_url": "",
                "capacity": "1",
                "booking_opens_at": "",
                "booking_closes_at": "",
                "cancellation_cutoff_hours": "48",
                **NO_COMPETENCY_MAPPINGS,
            },
        )
        assert response.status_code == 200
        assert "2 places are already taken" in page_text(response)
        session.refresh_from_db()
        assert session.capacity == 2

    def test_cancelling_in_the_admin_emails_people(
        self, as_user, session, course, django_capture_on_commit_callbacks
    ):
        trainee = make_trainee(course)
        services.booking_create(session=session, user=trainee)
        mail.outbox.clear()
        client = as_user(make_educator())
        cancel = reverse("courses_live_sessions:cancel", args=[session.pk])
        assert "Yes, cancel the session" in page_text(client.get(cancel))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(cancel)
        assert response.status_code == 302
        session.refresh_from_db()
        assert session.status == LiveSession.Status.CANCELLED
        assert [message.to for message in mail.outbox] == [[trainee.email]]

    def test_trainees_cannot_reach_the_admin(self, as_user, session, course):
        client = as_user(make_trainee(course))
        assert client.get(reverse("courses_live_sessions:index")).status_code == 302
        assert client.post(
            reverse("courses_live_sessions:cancel", args=[session.pk])
        ).status_code in (302, 403)
        session.refresh_from_db()
        assert session.status == LiveSession.Status.SCHEDULED

    def test_bookings_are_read_only_for_educators(self, as_user, session, course):
        booking = services.booking_create(session=session, user=make_trainee(course))
        client = as_user(make_educator())
        assert client.get(reverse("courses_bookings:index")).status_code == 200
        assert client.get(reverse("courses_bookings:edit", args=[booking.pk])).status_code == 302


class TestAdminPages:
    @pytest.mark.parametrize("name", ["add", "index"])
    def test_educators_open_the_session_pages(self, as_user, name):
        assert (
            as_user(make_educator()).get(reverse(f"courses_live_sessions:{name}")).status_code
            == 200
        )

    def test_the_edit_page_links_to_the_register(self, as_user, session):
        response = as_user(make_educator()).get(
            reverse("courses_live_sessions:edit", args=[session.pk])
        )
        assert response.status_code == 200
        assert url("session_register", session) in response.content.decode()
