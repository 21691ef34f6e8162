"""The quiz pages lead back the way the trainee came: course, module, then the lesson."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from imh_assessments.models import QuizAttempt
from imh_courses.services.learning import enrolment_create
from tests.assessments import factories_quizzes as f
from tests.courses.factories import create_course, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

_CRUMB = re.compile(r'<a class="nhsuk-breadcrumb__link" href="([^"]*)">([^<]*)</a>')
_BACK = re.compile(r'<a class="nhsuk-back-link" href="([^"]*)">')


def _crumbs(html: str) -> list[tuple[str, str]]:
    return [(label, url) for url, label in _CRUMB.findall(html)]


@pytest.fixture
def lesson_with_quiz():
    course = create_course(title="Attunement basics", modules=1, lessons_per_module=1)
    lesson = lessons_of(course)[0]
    quiz = f.quiz_of(f.single_choice(), title="Cues check")
    lesson.body.append(("quiz", {"quiz": quiz, "required": True}))
    lesson.save_revision().publish()
    return course, lesson, quiz


def _expected(course, lesson) -> list[tuple[str, str]]:
    module = lesson.get_parent()
    index = course.get_parent()
    return [
        ("Home", "/"),
        (index.title, index.url),
        ("Attunement basics", course.url),
        (module.title, module.url),
        (lesson.title, lesson.url),
    ]


def test_taking_and_result_pages_lead_back_through_course_and_module(client, lesson_with_quiz):
    course, lesson, quiz = lesson_with_quiz
    trainee = UserFactory()
    enrolment_create(user=trainee, course=course)
    client.force_login(trainee)
    client.post(reverse("imh_assessments:quiz_start", args=[quiz.pk]), {"page_id": str(lesson.pk)})
    attempt = QuizAttempt.objects.get()
    expected = _expected(course, lesson)

    html = client.get(reverse("imh_assessments:quiz_take", args=[attempt.token])).content.decode()
    assert _crumbs(html) == expected
    # On small screens the back link goes to the lesson.
    assert _BACK.findall(html) == [lesson.url]

    answers = {f"question-{k}": v for k, v in f.correct_answers(attempt).items()}
    client.post(reverse("imh_assessments:quiz_submit", args=[attempt.token]), answers)
    html = client.get(reverse("imh_assessments:quiz_result", args=[attempt.token])).content.decode()
    assert _crumbs(html) == expected


def test_the_refusal_page_leads_back_to_the_lesson_too(client, lesson_with_quiz):
    course, lesson, quiz = lesson_with_quiz
    client.force_login(UserFactory())  # not enrolled
    response = client.post(
        reverse("imh_assessments:quiz_start", args=[quiz.pk]), {"page_id": str(lesson.pk)}
    )
    assert response.status_code == 403
    assert _crumbs(response.content.decode()) == _expected(course, lesson)


def test_without_a_lesson_the_breadcrumb_is_home_only(client, lesson_with_quiz):
    _course, _lesson, quiz = lesson_with_quiz
    client.force_login(UserFactory())
    response = client.post(reverse("imh_assessments:quiz_start", args=[quiz.pk]), {"page_id": "x"})
    assert response.status_code == 403
    assert _crumbs(response.content.decode()) == [("Home", "/")]
