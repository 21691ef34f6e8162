"""The trainee hears by email, exactly once, when a certificate is issued to them, whichever
way they completed: a lesson marked complete, a quiz or H5P activity passed, attendance."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from imh_assessments.services import quizzes as quiz_services
from imh_certificates.models import Certificate
from imh_certificates.services import certificate_issue
from imh_courses.models import CourseCompletion, LiveSession
from imh_courses.services import sessions as session_services
from imh_courses.services.learning import enrolment_create, lesson_complete
from tests.assessments.factories_quizzes import correct_answers, quiz_of, single_choice
from tests.assessments.xapi_helpers import bare_activity, statement
from tests.courses.factories import create_course, in_days, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SUBJECT = "Your certificate for"


def certificate_emails():
    return [message for message in mail.outbox if message.subject.startswith(SUBJECT)]


def place(lesson, *activities):
    lesson.body = [("text", "<p>Read this first.</p>"), *activities]
    lesson.save_revision().publish()
    lesson.refresh_from_db()
    return lesson


@pytest.fixture
def course():
    return create_course(
        title="Responsive care", modules=1, lessons_per_module=1, cpd_hours=Decimal("1.5")
    )


@pytest.fixture
def trainee(course):
    user = UserFactory(email="sam@example.org", first_name="Sam", last_name="Smith")
    enrolment_create(user=user, course=course)
    return user


def the_email_for(user, course) -> mail.EmailMessage:
    (message,) = certificate_emails()
    certificate = Certificate.objects.get(holder=user)
    assert message.to == [user.email]
    assert message.subject == f"Your certificate for {course.title}"
    assert f"http://testserver/certificates/{certificate.code}/pdf/" in message.body
    assert f"http://testserver/verify/{certificate.code}/" in message.body
    assert "http://testserver/certificates/" in message.body
    assert "CPD hours: 1.5" in message.body
    (html, kind) = message.alternatives[0]
    assert kind == "text/html"
    assert f'href="http://testserver/certificates/{certificate.code}/pdf/"' in html
    return message


class TestEveryRoute:
    def test_marking_the_last_lesson_complete(
        self, client, course, trainee, django_capture_on_commit_callbacks
    ):
        client.force_login(trainee)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("imh_courses:lesson_complete", args=[lessons_of(course)[0].pk]))
        assert CourseCompletion.objects.filter(user=trainee).exists()
        the_email_for(trainee, course)

    def test_passing_a_quiz(self, course, trainee, django_capture_on_commit_callbacks):
        lesson = place(
            lessons_of(course)[0], ("quiz", {"quiz": quiz_of(single_choice()), "required": True})
        )
        attempt = quiz_services.quiz_attempt_start(
            user=trainee, quiz=lesson.body[1].value["quiz"], page_id=lesson.pk
        )
        with django_capture_on_commit_callbacks(execute=True):
            quiz_services.quiz_attempt_submit(
                user=trainee, token=attempt.token, answers=correct_answers(attempt)
            )
        the_email_for(trainee, course)

    def test_passing_an_h5p_activity(
        self, client, course, trainee, django_capture_on_commit_callbacks
    ):
        activity = bare_activity(title="Reading cues")
        place(lessons_of(course)[0], ("h5p", {"activity": activity, "required": True}))
        client.force_login(trainee)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/xapi/statements",
                json.dumps(statement(trainee, activity, score=(1, 1))),
                content_type="application/json",
                HTTP_X_EXPERIENCE_API_VERSION="1.0.3",
            )
        assert response.status_code == 200
        the_email_for(trainee, course)

    def test_attendance_being_marked(self, django_capture_on_commit_callbacks):
        course = create_course(
            title="Responsive care",
            modules=1,
            lessons_per_module=1,
            cpd_hours=Decimal("1.5"),
            required_live_sessions=1,
            require_all_lessons=False,
        )
        trainee = UserFactory(email="sam@example.org")
        enrolment_create(user=trainee, course=course)
        facilitator = UserFactory()
        session = LiveSession.objects.create(
            course=course,
            title="Watch, wait and wonder",
            starts_at=in_days(7),
            ends_at=in_days(7) + datetime.timedelta(hours=2),
            venue="Room 2",
            capacity=3,
            facilitator=facilitator,
        )
        booking = session_services.booking_create(session=session, user=trainee)
        mail.outbox.clear()
        with (
            time_machine.travel(session.starts_at + datetime.timedelta(minutes=30), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            session_services.attendance_mark(
                session=session, marks={booking.pk: "attended"}, actor=facilitator
            )
        the_email_for(trainee, course)


class TestOnce:
    def test_issuing_again_sends_nothing_more(
        self, client, course, trainee, django_capture_on_commit_callbacks
    ):
        client.force_login(trainee)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("imh_courses:lesson_complete", args=[lessons_of(course)[0].pk]))
        completion = CourseCompletion.objects.get(user=trainee)
        with django_capture_on_commit_callbacks(execute=True):
            again = certificate_issue(
                holder=trainee,
                kind=Certificate.Kind.COURSE,
                source=completion,
                title=completion.course_title,
                cpd_hours=completion.cpd_hours,
                completed_on=datetime.date.today(),
            )
        assert again == Certificate.objects.get()
        assert len(certificate_emails()) == 1

    def test_not_before_the_certificate_is_committed(self, course, trainee):
        completion = CourseCompletion.objects.create(
            enrolment=trainee.enrolments.get(),
            user=trainee,
            course=course,
            completed_at=in_days(0),
            course_title=course.title,
            cpd_hours=course.cpd_hours,
            imh_level=1,
        )
        certificate_issue(
            holder=trainee,
            kind=Certificate.Kind.COURSE,
            source=completion,
            title=course.title,
            cpd_hours=course.cpd_hours,
            completed_on=datetime.date.today(),
        )
        assert certificate_emails() == []  # the test's transaction never commits

    def test_nobody_to_write_to(self, course, django_capture_on_commit_callbacks):
        user = UserFactory(email="")
        enrolment_create(user=user, course=course)
        with django_capture_on_commit_callbacks(execute=True):
            lesson_complete(user=user, lesson=lessons_of(course)[0])
        assert Certificate.objects.filter(holder=user).exists()
        assert certificate_emails() == []
