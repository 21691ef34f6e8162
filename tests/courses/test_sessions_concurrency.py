"""Real concurrency on PostgreSQL: the last place goes to exactly one of two people booking it.

Each thread books in its own database connection at the same moment (a barrier), and the
count of places taken is slowed down so both transactions are certainly open together.
Without the session row lock both would see a free place and both would be confirmed.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from imh_courses.models import Booking
from imh_courses.selectors import sessions as session_selectors
from imh_courses.services import sessions as services
from tests.courses.factories import create_course
from tests.courses.test_sessions_services import make_session, make_trainee

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _postgresql_only(db):
    if connection.vendor != "postgresql":
        pytest.skip(
            "Needs PostgreSQL: SQLite takes one writer at a time, so it cannot show the race. "
            "Run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/imh_sessions_dev."
        )


@pytest.fixture
def slow_count(monkeypatch):
    """Hold each transaction open a moment after it has counted the places taken."""
    count = session_selectors.session_places_taken

    def counted_slowly(*, session):
        taken = count(session=session)
        time.sleep(0.3)
        return taken

    monkeypatch.setattr(session_selectors, "session_places_taken", counted_slowly)


def book_at_once(session, users) -> tuple[list[str], list[Exception]]:
    barrier = threading.Barrier(len(users))
    statuses: list[str] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def book(user) -> None:
        try:
            barrier.wait(timeout=10)
            booking = services.booking_create(session=session, user=user)
            with lock:
                statuses.append(booking.status)
        except Exception as error:  # reported by the test, not lost in the thread
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return statuses, errors


def test_two_trainees_booking_the_last_place(slow_count):
    course = create_course(modules=1, lessons_per_module=1)
    session = make_session(course, capacity=1)
    first, second = make_trainee(course), make_trainee(course)

    statuses, errors = book_at_once(session, [first, second])

    assert errors == []
    assert sorted(statuses) == ["confirmed", "waitlisted"]
    assert Booking.objects.filter(session=session, status="confirmed").count() == 1
    assert Booking.objects.filter(session=session, status="waitlisted").count() == 1


def test_one_person_double_clicking_gets_one_booking(slow_count):
    course = create_course(modules=1, lessons_per_module=1)
    session = make_session(course, capacity=5)
    trainee = make_trainee(course)

    statuses, errors = book_at_once(session, [trainee, trainee])

    assert statuses == ["confirmed"]
    assert len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert "You already have a place" in str(errors[0])
    assert Booking.objects.filter(session=session).count() == 1
