"""The live-session bookings download: it works, and risky text is never run."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from imh_courses.models import Booking
from imh_courses.services import sessions as services
from tests.courses.factories import create_course
from tests.courses.test_sessions_services import make_educator, make_session, make_trainee
from tests.spreadsheets import RISKY_IDS, RISKY_VALUES, assert_plain_text, csv_rows, xlsx_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(db):
    return create_course(modules=1, lessons_per_module=1)


@pytest.fixture
def educator(client):
    user = make_educator()
    client.force_login(user)
    return user


def export(client, export_format: str, **query):
    return client.get(reverse("courses_bookings:index"), {"export": export_format, **query})


def test_csv_lists_each_booking(client, educator, course):
    starts_at = timezone.make_aware(datetime.datetime(2030, 6, 5, 14, 0))
    session = make_session(course, title="Serve and return", starts_at=starts_at, capacity=1)
    priya = make_trainee(course, first_name="Priya", last_name="Shah", email="priya@example.org")
    sam = make_trainee(course, first_name="Sam", last_name="Jones", email="sam@example.org")
    services.booking_create(session=session, user=priya)
    services.booking_create(session=session, user=sam)
    make_session(course, title="Another session")

    response = export(client, "csv")
    disposition = 'attachment; filename="live-session-bookings.csv"'
    assert response["Content-Disposition"] == disposition
    rows = sorted(csv_rows(response), key=lambda row: row["Email"])
    assert [(r["Email"], r["First name"], r["Last name"], r["Session"]) for r in rows] == [
        ("priya@example.org", "Priya", "Shah", "Serve and return"),
        ("sam@example.org", "Sam", "Jones", "Serve and return"),
    ]
    assert [row["Status"] for row in rows] == ["Confirmed", "On the waiting list"]
    assert rows[0]["Starts"].startswith("2030-06-05")
    assert rows[0]["Attendance"] == ""


def test_xlsx_lists_each_booking_and_follows_the_filter(client, educator, course):
    session = make_session(course, title="Serve and return")
    other = make_session(course, title="Another session")
    services.booking_create(session=session, user=make_trainee(course, email="a@example.org"))
    services.booking_create(session=other, user=make_trainee(course, email="b@example.org"))

    response = export(client, "xlsx", session=session.pk)
    assert response.status_code == 200
    [row] = xlsx_rows(response)
    assert row["Email"].value == "a@example.org"
    assert row["Session"].value == "Serve and return"
    assert row["Status"].value == "Confirmed"
    assert isinstance(row["Starts"].value, datetime.datetime)
    assert isinstance(row["Booked"].value, datetime.datetime)


@pytest.mark.parametrize("risky", RISKY_VALUES, ids=RISKY_IDS)
def test_risky_text_is_quoted(client, educator, course, risky):
    session = make_session(course)
    user = make_trainee(course, first_name="Priya", last_name=risky)
    Booking.objects.create(session=session, user=user, status=Booking.Status.CONFIRMED)

    [row] = csv_rows(export(client, "csv"))
    assert row["Last name"] == f"'{risky}"
    assert row["First name"] == "Priya"

    [row] = xlsx_rows(export(client, "xlsx"))
    assert_plain_text(row["Last name"], f"'{risky}")
