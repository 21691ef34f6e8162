"""Trainees' learning pages: enrol, mark complete, reflect, and My learning."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from imh_courses.models import (
    Booking,
    CourseCompletion,
    Enrolment,
    LessonProgress,
    LiveSession,
    Reflection,
)
from imh_courses.services.learning import enrolment_create, lesson_complete, reflection_save
from tests.courses.factories import add_reflection_prompt, in_days, lessons_of
from tests.courses.factories import create_course as _create_course
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def create_course(**fields):
    fields.setdefault("modules", 2)
    fields.setdefault("lessons_per_module", 2)
    return _create_course(publish=False, **fields)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def trainee():
    return UserFactory(first_name="Sam", last_name="Visitor")


@pytest.fixture
def course():
    return create_course(title="Foundations")


@pytest.fixture
def logged_in(client, trainee):
    client.force_login(trainee)
    return client


class TestAnonymous:
    @pytest.mark.parametrize(
        ("name", "kwargs"),
        [
            ("imh_courses:my_learning", {}),
            ("imh_courses:enrol", {"course_id": 1}),
            ("imh_courses:lesson_complete", {"lesson_id": 1}),
            ("imh_courses:reflection_save", {"lesson_id": 1, "block_id": "abc"}),
        ],
    )
    def test_sent_to_log_in(self, client, name, kwargs):
        url = reverse(name, kwargs=kwargs)
        response = client.post(url) if name != "imh_courses:my_learning" else client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={url}"

    def test_posting_changes_nothing(self, client, course):
        client.post(reverse("imh_courses:enrol", args=[course.pk]))
        assert not Enrolment.objects.exists()


class TestEnrol:
    def test_enrols_and_returns_to_the_course(self, logged_in, trainee, course):
        response = logged_in.post(reverse("imh_courses:enrol", args=[course.pk]))
        assert response.status_code == 302
        assert response["Location"] == course.url
        assert Enrolment.objects.get().user == trainee
        assert messages_of(response) == [
            "You are enrolled on “Foundations”. Start with the first lesson when you are ready."
        ]

    def test_already_enrolled(self, logged_in, trainee, course):
        enrolment_create(user=trainee, course=course)
        response = logged_in.post(reverse("imh_courses:enrol", args=[course.pk]))
        assert messages_of(response) == ["You are already enrolled on “Foundations”."]
        assert Enrolment.objects.count() == 1

    def test_refusal_is_shown_as_an_error(self, logged_in):
        closed = create_course(title="Closed course", self_enrolment=False)
        response = logged_in.post(reverse("imh_courses:enrol", args=[closed.pk]))
        assert response["Location"] == closed.url
        assert messages_of(response) == [
            "You cannot enrol yourself on “Closed course”. Ask your manager or an educator to "
            "assign it to you."
        ]
        assert not Enrolment.objects.exists()

    def test_get_is_not_allowed(self, logged_in, course):
        assert logged_in.get(reverse("imh_courses:enrol", args=[course.pk])).status_code == 405
        assert not Enrolment.objects.exists()

    def test_unknown_or_unpublished_course(self, logged_in, course):
        assert logged_in.post(reverse("imh_courses:enrol", args=[999_999])).status_code == 404
        course.unpublish()
        assert logged_in.post(reverse("imh_courses:enrol", args=[course.pk])).status_code == 404

    def test_needs_the_csrf_token(self, trainee, course):
        client = Client(enforce_csrf_checks=True)
        client.force_login(trainee)
        assert client.post(reverse("imh_courses:enrol", args=[course.pk])).status_code == 403
        assert not Enrolment.objects.exists()


class TestLessonComplete:
    def test_goes_on_to_the_next_lesson_across_modules(self, logged_in, trainee, course):
        enrolment_create(user=trainee, course=course)
        lessons = lessons_of(course)
        response = logged_in.post(reverse("imh_courses:lesson_complete", args=[lessons[1].pk]))
        assert response.status_code == 302
        assert response["Location"] == lessons[2].url
        assert messages_of(response) == ["“Lesson 1.2” is marked as complete."]
        assert LessonProgress.objects.get().lesson_id == lessons[1].pk

    def test_completing_the_course_returns_to_it(self, logged_in, trainee, course):
        enrolment_create(user=trainee, course=course)
        lessons = lessons_of(course)
        for lesson in lessons[:-1]:
            lesson_complete(user=trainee, lesson=lesson)
        response = logged_in.post(reverse("imh_courses:lesson_complete", args=[lessons[-1].pk]))
        assert response["Location"] == course.url
        assert messages_of(response) == ["You have completed “Foundations”. Well done."]
        assert CourseCompletion.objects.filter(user=trainee).exists()

    def test_last_lesson_without_completing_returns_to_the_course(self, logged_in, trainee):
        course = create_course(required_live_sessions=1)
        enrolment_create(user=trainee, course=course)
        response = logged_in.post(
            reverse("imh_courses:lesson_complete", args=[lessons_of(course)[-1].pk])
        )
        assert response["Location"] == course.url

    def test_not_enrolled(self, logged_in, course):
        lesson = lessons_of(course)[0]
        response = logged_in.post(reverse("imh_courses:lesson_complete", args=[lesson.pk]))
        assert response["Location"] == lesson.url
        assert messages_of(response) == [
            "Enrol on “Foundations” before marking its lessons as complete."
        ]
        assert not LessonProgress.objects.exists()

    def test_get_is_not_allowed(self, logged_in, trainee, course):
        enrolment_create(user=trainee, course=course)
        lesson = lessons_of(course)[0]
        response = logged_in.get(reverse("imh_courses:lesson_complete", args=[lesson.pk]))
        assert response.status_code == 405
        assert not LessonProgress.objects.exists()


class TestReflectionSave:
    @pytest.fixture
    def lesson(self, course):
        lesson = lessons_of(course)[0]
        add_reflection_prompt(
            lesson, block_id="reflect-1", prompt="What did you notice?", guidance="Think first."
        )
        return lesson

    def url(self, lesson, block_id="reflect-1"):
        return reverse("imh_courses:reflection_save", args=[lesson.pk, block_id])

    def test_saves_and_returns_to_the_prompt(self, logged_in, trainee, course, lesson):
        enrolment_create(user=trainee, course=course)
        response = logged_in.post(self.url(lesson), {"text": "They looked at me."})
        assert response.status_code == 302
        assert response["Location"] == f"{lesson.url}#reflection-reflect-1"
        assert Reflection.objects.get(user=trainee).text == "They looked at me."

    def test_a_problem_with_the_text_keeps_it_in_the_form(self, logged_in, trainee, course, lesson):
        enrolment_create(user=trainee, course=course)
        typed = "<b>Long</b> " + "x" * 10_000
        response = logged_in.post(self.url(lesson), {"text": typed})
        assert response.status_code == 400
        html = response.content.decode()
        assert "Your reflection was not saved" in html
        assert "must be 10,000 characters or fewer" in html
        assert "&lt;b&gt;Long&lt;/b&gt; xxx" in html  # kept, escaped
        assert 'name="text"' in html
        assert 'class="nhsuk-error-message" id="reflection-reflect-1-error"' in html
        assert "What did you notice?" in html
        assert "Think first." in html
        assert self.url(lesson) in html
        assert not Reflection.objects.exists()

    def test_not_enrolled_shows_the_text_to_copy_but_no_form(self, logged_in, lesson):
        response = logged_in.post(self.url(lesson), {"text": "My thoughts"})
        assert response.status_code == 400
        html = response.content.decode()
        assert "Enrol on the course before saving reflections" in html
        assert "My thoughts" in html
        assert 'name="text"' not in html
        assert not Reflection.objects.exists()

    def test_cannot_reach_another_trainees_reflection(self, logged_in, trainee, course, lesson):
        other = UserFactory()
        enrolment_create(user=other, course=course)
        enrolment_create(user=trainee, course=course)
        theirs = reflection_save(user=other, lesson=lesson, block_id="reflect-1", text="Private")

        logged_in.post(self.url(lesson), {"text": "Overwritten?"})

        theirs.refresh_from_db()
        assert theirs.text == "Private"
        assert Reflection.objects.get(user=trainee).text == "Overwritten?"

    def test_unknown_block(self, logged_in, trainee, course, lesson):
        enrolment_create(user=trainee, course=course)
        response = logged_in.post(self.url(lesson, "nope"), {"text": "Hello"})
        assert response.status_code == 400
        assert "no longer in the lesson" in response.content.decode()


class TestMyLearningPage:
    @time_machine.travel(datetime.datetime(2025, 6, 2, 9, tzinfo=datetime.UTC), tick=False)
    def test_sections(self, logged_in, trainee):
        manager = UserFactory()
        assigned = create_course(title="Safeguarding babies", slug="safeguarding")
        chosen = create_course(title="Attachment", slug="attachment")
        finished = create_course(
            title="Refresher", slug="refresher", certificate_validity_months=12
        )
        with time_machine.travel(datetime.datetime(2025, 5, 1, 9, tzinfo=datetime.UTC)):
            enrolment_create(
                user=trainee, course=assigned, assigned_by=manager, due_on=datetime.date(2025, 6, 1)
            )
            enrolment_create(user=trainee, course=finished)
            for lesson in lessons_of(finished):
                lesson_complete(user=trainee, lesson=lesson)
        enrolment_create(user=trainee, course=chosen)
        lesson_complete(user=trainee, lesson=lessons_of(chosen)[0])
        starts = in_days(3)
        session = LiveSession.objects.create(
            course=chosen,
            title="Video feedback workshop",
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2),
            venue="Room 4",
        )
        Booking.objects.create(session=session, user=trainee, status="confirmed")

        response = logged_in.get(reverse("imh_courses:my_learning"))

        assert response.status_code == 200
        html = response.content.decode()
        assert "<h1>My learning</h1>" in html
        assert "Safeguarding babies" in html
        assert "1 June 2025" in html
        assert '<strong class="nhsuk-tag nhsuk-tag--red">Overdue</strong>' in html
        assert "1 of 4 required lessons done" in html
        assert f'href="{lessons_of(chosen)[1].url}"' in html  # Continue
        assert "Refresher" in html
        assert "1 May 2026" in html  # certificate valid until
        assert "Video feedback workshop" in html
        assert reverse("imh_courses:session_detail", args=[session.pk]) in html

    def test_empty(self, logged_in):
        response = logged_in.get(reverse("imh_courses:my_learning"))
        assert "You have not started any courses yet." in response.content.decode()

    def test_a_fixed_number_of_queries(self, client):
        def trainee_with(count):
            user = UserFactory()
            for number in range(count):
                course = create_course(
                    title=f"Course {count}-{number}",
                    slug=f"c-{count}-{number}",
                    modules=1,
                    lessons_per_module=2,
                )
                if number % 2:
                    enrolment_create(
                        user=user, course=course, assigned_by=user, due_on=in_days(5).date()
                    )
                else:
                    enrolment_create(user=user, course=course)
                lesson_complete(user=user, lesson=lessons_of(course)[0])
                if number % 3 == 0:
                    lesson_complete(user=user, lesson=lessons_of(course)[1])
            return user

        few, many = trainee_with(3), trainee_with(12)
        url = reverse("imh_courses:my_learning")
        client.force_login(few)
        client.get(url)  # warm the site root paths cache
        with CaptureQueriesContext(connection) as few_queries:
            assert client.get(url).status_code == 200
        client.force_login(many)
        client.get(url)
        with CaptureQueriesContext(connection) as many_queries:
            assert client.get(url).status_code == 200
        assert len(many_queries) == len(few_queries)
