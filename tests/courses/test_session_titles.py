"""Session titles stay on one line: they are the subject of every email about the session."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from imh_courses.models import LiveSession
from imh_courses.services import sessions as services
from tests.courses.factories import create_course
from tests.courses.test_sessions_services import make_educator, make_session, make_trainee
from tests.courses.test_sessions_views import NO_COMPETENCY_MAPPINGS

pytestmark = pytest.mark.django_db

MESSAGE = "Title must be on one line"
BAD_TITLES = [
    "Serve and\r\nreturn",
    "Serve and\nreturn",
    "Serve\tand return",
    "Serve\x0b",
    "a\u2028b",
]


@pytest.fixture
def course(db):
    return create_course(modules=1, lessons_per_module=1)


def store_legacy_title(session: LiveSession, title: str) -> None:
    """Give ``session`` a title saved before titles were checked (the database refuses one
    now, so its check is switched off for this one write, inside the test's transaction)."""
    saved = LiveSession.objects.filter(pk=session.pk)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Pending deferred checks would stop ALTER TABLE; run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            table = connection.ops.quote_name(LiveSession._meta.db_table)
            cursor.execute(
                f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS courses_session_title_one_line"
            )
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            saved.update(title=title)
        else:
            cursor.execute("PRAGMA ignore_check_constraints = 1")
            try:
                saved.update(title=title)
            finally:
                cursor.execute("PRAGMA ignore_check_constraints = 0")
    session.refresh_from_db()
    assert session.title == title


def session_post(course, **fields) -> dict:
    return {
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
        **NO_COMPETENCY_MAPPINGS,
        **fields,
    }


class TestAdminForm:
    @pytest.mark.parametrize("title", ["Serve and\r\nreturn", "Serve and\nreturn", "Serve\tand"])
    def test_adding_shows_the_error_and_saves_nothing(self, client, course, title):
        client.force_login(make_educator())
        response = client.post(
            reverse("courses_live_sessions:add"), session_post(course, title=title)
        )
        assert response.status_code == 200
        form = response.context["form"]
        assert form.errors["title"] == [
            "Title must be on one line: remove line breaks, tabs and other hidden characters"
        ]
        assert MESSAGE in response.content.decode()
        assert not LiveSession.objects.exists()

    def test_editing_shows_the_error_and_keeps_the_title(self, client, course):
        session = make_session(course, title="Serve and return")
        client.force_login(make_educator())
        response = client.post(
            reverse("courses_live_sessions:edit", args=[session.pk]),
            session_post(course, title="Serve and\r\nreturn again", venue=session.venue),
        )
        assert response.status_code == 200
        assert response.context["form"].errors["title"] == [
            "Title must be on one line: remove line breaks, tabs and other hidden characters"
        ]
        session.refresh_from_db()
        assert session.title == "Serve and return"

    def test_an_ordinary_title_still_saves(self, client, course):
        client.force_login(make_educator())
        response = client.post(
            reverse("courses_live_sessions:add"),
            session_post(course, title="Serve and return: babies' cues (part 2)", facilitator=""),
        )
        assert response.status_code == 302
        assert LiveSession.objects.get().title == "Serve and return: babies' cues (part 2)"


@pytest.mark.parametrize("title", BAD_TITLES)
def test_model_validation_refuses_the_title(course, title):
    session = LiveSession(course=course, title=title, venue="Room 2")
    with pytest.raises(ValidationError) as error:
        session.full_clean(exclude=["starts_at", "ends_at"])
    assert error.value.message_dict["title"] == [
        "Title must be on one line: remove line breaks, tabs and other hidden characters"
    ]


@pytest.mark.parametrize("title", ["Serve and\r\nreturn", "Serve\tand return", "a\u2028b"])
def test_the_database_refuses_the_title(course, title):
    session = make_session(course)
    with pytest.raises(IntegrityError), transaction.atomic():
        LiveSession.objects.filter(pk=session.pk).update(title=title)


class TestLegacyTitles:
    def test_cancelling_emails_everyone_with_a_one_line_subject(
        self, course, django_capture_on_commit_callbacks
    ):
        session = make_session(course, capacity=3)
        trainee = make_trainee(course)
        services.booking_create(session=session, user=trainee)
        store_legacy_title(session, "Serve and\r\nreturn\t(part 2)")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.session_cancel(session=session, actor=make_educator())
        [email] = mail.outbox
        assert email.to == [trainee.email]
        assert email.subject == "Cancelled: Serve and return (part 2)"
        # Rendering the whole message is what fails with a line break in a header.
        assert "Subject: Cancelled: Serve and return (part 2)" in email.message().as_string()

    def test_booking_emails_the_trainee(self, course, django_capture_on_commit_callbacks):
        session = make_session(course, capacity=3)
        store_legacy_title(session, "Serve and\nreturn")
        trainee = make_trainee(course)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.booking_create(session=session, user=trainee)
        assert [email.subject for email in mail.outbox] == ["Confirmed: Serve and return"]
