"""Deleting an account removes the person's reflections and frees their places at live sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from imh_accounts.services import account_delete
from imh_courses.models import Booking, Reflection
from imh_courses.services import sessions as session_services
from imh_courses.services.learning import reflection_save
from tests.courses.factories import add_reflection_prompt, create_course, in_days, lessons_of
from tests.courses.test_sessions_services import make_session, make_trainee
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(db):
    return create_course(modules=1, lessons_per_module=1)


@pytest.fixture
def send_on_commit(django_capture_on_commit_callbacks):
    """Run the after-commit callbacks (emails) of the block, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _status(booking: Booking) -> str:
    booking.refresh_from_db()
    return booking.status


def test_deleting_an_account_deletes_its_reflections(course):
    leaving = make_trainee(course, username="leaving")
    staying = make_trainee(course, username="staying")
    lesson = lessons_of(course)[0]
    add_reflection_prompt(lesson, block_id="reflect-1")
    reflection_save(user=leaving, lesson=lesson, block_id="reflect-1", text="Private thoughts")
    kept = reflection_save(user=staying, lesson=lesson, block_id="reflect-1", text="Mine")

    account_delete(user=leaving, password=DEFAULT_PASSWORD)

    assert not Reflection.objects.filter(user=leaving).exists()
    assert not Reflection.objects.filter(text="Private thoughts").exists()
    assert list(Reflection.objects.all()) == [kept]


def test_a_confirmed_place_is_freed_and_offered_to_the_waiting_list(course, send_on_commit):
    session = make_session(course, capacity=1, starts_at=in_days(14))
    leaving = make_trainee(course, username="leaving")
    waiting = make_trainee(course, username="waiting", email="waiting@example.org")
    held = session_services.booking_create(session=session, user=leaving)
    queued = session_services.booking_create(session=session, user=waiting)
    assert (held.status, queued.status) == (Booking.Status.CONFIRMED, Booking.Status.WAITLISTED)
    mail.outbox.clear()

    with send_on_commit():
        account_delete(user=leaving, password=DEFAULT_PASSWORD)

    assert _status(held) == Booking.Status.CANCELLED
    assert held.cancelled_at is not None
    assert _status(queued) == Booking.Status.CONFIRMED
    assert [message.to for message in mail.outbox] == [["waiting@example.org"]]
    assert mail.outbox[0].subject.startswith("A place has come up")


def test_the_cancellation_cut_off_does_not_keep_the_place(course, send_on_commit):
    # Inside the cut-off a trainee cannot give up a place online, but someone who has deleted
    # their account cannot come: the place is better offered to the next person.
    session = make_session(course, capacity=1, starts_at=in_days(1), cancellation_cutoff_hours=48)
    leaving = make_trainee(course, username="leaving")
    waiting = make_trainee(course, username="waiting")
    held = session_services.booking_create(session=session, user=leaving)
    queued = session_services.booking_create(session=session, user=waiting)

    with send_on_commit():
        account_delete(user=leaving, password=DEFAULT_PASSWORD)

    assert _status(held) == Booking.Status.CANCELLED
    assert _status(queued) == Booking.Status.CONFIRMED


def test_waiting_list_places_and_requests_are_withdrawn(course):
    full = make_session(course, capacity=1, title="Full")
    approval = make_session(
        course, capacity=5, title="Needs approval", requires_manager_approval=True
    )
    leaving = make_trainee(course, username="leaving")
    session_services.booking_create(session=full, user=make_trainee(course, username="first"))
    on_list = session_services.booking_create(session=full, user=leaving)
    requested = session_services.booking_create(session=approval, user=leaving)
    assert on_list.status == Booking.Status.WAITLISTED
    assert requested.status == Booking.Status.AWAITING_APPROVAL

    account_delete(user=leaving, password=DEFAULT_PASSWORD)

    assert _status(on_list) == Booking.Status.CANCELLED
    assert _status(requested) == Booking.Status.CANCELLED


def test_past_sessions_keep_the_attendance_record(course):
    leaving = make_trainee(course, username="leaving")
    past = make_session(course, starts_at=in_days(-3))
    attended = Booking.objects.create(
        session=past, user=leaving, status=Booking.Status.CONFIRMED, attendance="attended"
    )
    started = make_session(course, starts_at=in_days(0) - timedelta(minutes=30))
    in_the_room = Booking.objects.create(
        session=started, user=leaving, status=Booking.Status.CONFIRMED
    )

    account_delete(user=leaving, password=DEFAULT_PASSWORD)

    assert _status(attended) == Booking.Status.CONFIRMED
    attended.refresh_from_db()
    assert attended.attendance == "attended"
    assert _status(in_the_room) == Booking.Status.CONFIRMED


def test_a_wrong_password_frees_nothing(course):
    session = make_session(course, capacity=1)
    leaving = make_trainee(course, username="leaving")
    held = session_services.booking_create(session=session, user=leaving)
    lesson = lessons_of(course)[0]
    add_reflection_prompt(lesson, block_id="reflect-1")
    reflection_save(user=leaving, lesson=lesson, block_id="reflect-1", text="Private thoughts")

    with pytest.raises(ValidationError):
        account_delete(user=leaving, password="not-the-password")

    assert _status(held) == Booking.Status.CONFIRMED
    assert Reflection.objects.filter(user=leaving).exists()
