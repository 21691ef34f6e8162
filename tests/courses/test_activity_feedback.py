"""What the trainee is told after an activity completes a lesson or a course (an H5P result
arrives without a page load), and what a live session's page says once the register is
marked."""

from __future__ import annotations

import datetime
import html as html_lib
import json
import re

import pytest
import time_machine
from django.urls import reverse

from imh_certificates.models import Certificate
from imh_courses.models import LiveSession
from imh_courses.services import sessions as session_services
from imh_courses.services.learning import enrolment_create
from tests.assessments.xapi_helpers import bare_activity, statement
from tests.courses.factories import create_course, in_days, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def place(lesson, *activities):
    lesson.body = [("text", "<p>Read this first.</p>"), *activities]
    lesson.save_revision().publish()
    lesson.refresh_from_db()
    return lesson


def send_result(client, trainee, activity, score, on_commit):
    with on_commit(execute=True):
        response = client.post(
            "/xapi/statements",
            json.dumps(statement(trainee, activity, score=score)),
            content_type="application/json",
            HTTP_X_EXPERIENCE_API_VERSION="1.0.3",
        )
    assert response.status_code == 200


def standing(client, lesson) -> dict:
    response = client.get(reverse("imh_courses:lesson_standing", args=[lesson.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    return response.json()


@pytest.fixture
def activity():
    return bare_activity(title="Reading cues")


@pytest.fixture
def trainee():
    return UserFactory()


def enrolled(course, trainee, client):
    enrolment_create(user=trainee, course=course)
    client.force_login(trainee)


class TestAfterAnH5PResult:
    def test_a_result_short_of_a_pass_says_what_is_left(
        self, client, trainee, activity, django_capture_on_commit_callbacks
    ):
        course = create_course(modules=1, lessons_per_module=2)
        lesson = place(lessons_of(course)[0], ("h5p", {"activity": activity, "required": True}))
        enrolled(course, trainee, client)
        send_result(client, trainee, activity, (1, 2), django_capture_on_commit_callbacks)
        data = standing(client, lesson)
        assert data == {
            "message": "Your result is saved. To complete this lesson, pass the activity "
            "“Reading cues”.",
            "link": None,
            "lesson_completed": False,
            "course_completed": False,
            "outstanding": 1,
        }

    def test_a_pass_completes_the_lesson_and_says_so(
        self, client, trainee, activity, django_capture_on_commit_callbacks
    ):
        course = create_course(modules=1, lessons_per_module=2)
        first, second = lessons_of(course)
        place(first, ("h5p", {"activity": activity, "required": True}))
        enrolled(course, trainee, client)
        send_result(client, trainee, activity, (2, 2), django_capture_on_commit_callbacks)
        data = standing(client, first)
        assert data["lesson_completed"] is True
        assert data["course_completed"] is False
        assert data["message"] == (
            "You have passed every required activity in this lesson, so it is complete."
        )
        assert data["link"] == {"url": second.url, "text": "Next lesson: Lesson 1.2"}

        # And reloading the lesson shows it too.
        words = text(client.get(first.url).content.decode())
        assert "You have completed this lesson." in words
        assert "Passed" in words
        assert "Mark as complete" not in words

    def test_a_pass_that_completes_the_course_points_to_the_certificate(
        self, client, trainee, activity, django_capture_on_commit_callbacks
    ):
        course = create_course(title="Responsive care", modules=1, lessons_per_module=1)
        lesson = place(lessons_of(course)[0], ("h5p", {"activity": activity, "required": True}))
        enrolled(course, trainee, client)
        send_result(client, trainee, activity, (2, 2), django_capture_on_commit_callbacks)
        certificate = Certificate.objects.get(holder=trainee)
        pdf_url = reverse("imh_certificates:certificate_pdf", args=[certificate.code])

        data = standing(client, lesson)
        assert data["course_completed"] is True
        assert data["message"] == "You have completed “Responsive care”. Your certificate is ready."
        assert data["link"] == {"url": pdf_url, "text": "Download your certificate (PDF)"}

        # The next page they see says so: the lesson, and the course.
        for page in (lesson, course):
            html = client.get(page.url).content.decode()
            assert f'href="{pdf_url}"' in html
            assert "Download your certificate" in text(html)
        assert "Course completed You completed Responsive care on" in text(
            client.get(lesson.url).content.decode()
        )

    def test_only_for_the_trainee_on_the_course(self, client, trainee, activity):
        course = create_course(modules=1, lessons_per_module=1)
        lesson = lessons_of(course)[0]
        url = reverse("imh_courses:lesson_standing", args=[lesson.pk])
        assert client.get(url).status_code == 401
        client.force_login(trainee)
        assert client.get(url).status_code == 404

    def test_the_lesson_page_loads_the_script_that_tells_the_trainee(
        self, client, trainee, activity
    ):
        course = create_course(modules=1, lessons_per_module=1)
        lesson = place(lessons_of(course)[0], ("h5p", {"activity": activity, "required": True}))
        enrolled(course, trainee, client)
        html = client.get(lesson.url).content.decode()
        assert "imh_courses/js/lesson-feedback.js" in html
        assert (
            f'data-url="{reverse("imh_courses:lesson_standing", args=[lesson.pk])}" '
            'data-outstanding="1" data-completed="false"' in html
        )


class TestCompletedByAttendance:
    @pytest.fixture
    def setting(self, trainee, django_capture_on_commit_callbacks):
        course = create_course(
            title="Responsive care",
            modules=1,
            lessons_per_module=1,
            required_live_sessions=1,
            require_all_lessons=False,
        )
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
        return course, session, booking, facilitator

    def mark(self, setting, attendance, on_commit):
        _, session, booking, facilitator = setting
        with (
            time_machine.travel(session.starts_at + datetime.timedelta(minutes=30), tick=False),
            on_commit(execute=True),
        ):
            session_services.attendance_mark(
                session=session, marks={booking.pk: attendance}, actor=facilitator
            )

    def test_the_session_page_says_attended_and_the_course_page_has_the_certificate(
        self, client, trainee, setting, django_capture_on_commit_callbacks
    ):
        course, session, _, _ = setting
        client.force_login(trainee)
        detail = reverse("imh_courses:session_detail", args=[session.pk])
        assert "Place confirmed" in text(client.get(detail).content.decode())

        self.mark(setting, "attended", django_capture_on_commit_callbacks)

        words = text(client.get(detail).content.decode())
        assert "Place confirmed" not in words
        assert "Your booking Attended You attended this session" in words
        assert "It counts towards completing Responsive care." in words

        certificate = Certificate.objects.get(holder=trainee)
        course_html = client.get(course.url).content.decode()
        assert "You completed this course on" in text(course_html)
        assert reverse("imh_certificates:certificate_pdf", args=[certificate.code]) in course_html

    @pytest.mark.parametrize(
        ("attendance", "tag", "sentence"),
        [
            ("no_show", "Did not attend", "The register says you did not attend this session"),
            ("partial", "Partially attended", "The register says you attended part of this"),
        ],
    )
    def test_otherwise_the_session_page_says_what_the_register_says(
        self,
        client,
        trainee,
        setting,
        django_capture_on_commit_callbacks,
        attendance,
        tag,
        sentence,
    ):
        _, session, _, _ = setting
        self.mark(setting, attendance, django_capture_on_commit_callbacks)
        client.force_login(trainee)
        words = text(
            client.get(reverse("imh_courses:session_detail", args=[session.pk])).content.decode()
        )
        assert f"Your booking {tag} {sentence}" in words
        assert "Place confirmed" not in words
        assert "If the register is wrong, tell the course team." in words
