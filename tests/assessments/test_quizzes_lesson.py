"""A quiz in a real lesson: the card renders on the page, the trainee takes it from there,
and passing it is announced to courses, which completes the lesson."""

from __future__ import annotations

import pytest
from django.urls import reverse

from imh_assessments.models import QuizAttempt
from imh_courses.models import LessonProgress
from imh_courses.services.learning import enrolment_create
from tests.assessments import factories_quizzes as f
from tests.courses.factories import create_course, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_taking_a_quiz_from_its_lesson(client, django_capture_on_commit_callbacks):
    course = create_course(title="Attunement basics", modules=1, lessons_per_module=1)
    lesson = lessons_of(course)[0]
    quiz = f.quiz_of(f.single_choice(), title="Cues check")
    lesson.body.append(("quiz", {"quiz": quiz, "required": True}))
    lesson.save_revision().publish()
    trainee = UserFactory()
    enrolment_create(user=trainee, course=course)
    client.force_login(trainee)

    html = client.get(lesson.url).content.decode()
    assert "Quiz: Cues check" in html
    assert f'name="page_id" value="{lesson.pk}"' in html

    response = client.post(
        reverse("imh_assessments:quiz_start", args=[quiz.pk]), {"page_id": str(lesson.pk)}
    )
    attempt = QuizAttempt.objects.get()
    assert response["Location"] == reverse("imh_assessments:quiz_take", args=[attempt.token])
    answers = {f"question-{k}": v for k, v in f.correct_answers(attempt).items()}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("imh_assessments:quiz_submit", args=[attempt.token]), answers
        )
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.passed is True
    assert attempt.page_id == lesson.pk
    assert LessonProgress.objects.filter(lesson=lesson, enrolment__user=trainee).exists()

    result = client.get(response["Location"]).content.decode()
    assert f'href="{lesson.url}"' in result


def test_someone_not_enrolled_cannot_start_it(client):
    course = create_course(modules=1, lessons_per_module=1)
    lesson = lessons_of(course)[0]
    quiz = f.quiz_of(f.single_choice())
    client.force_login(UserFactory())
    response = client.post(
        reverse("imh_assessments:quiz_start", args=[quiz.pk]), {"page_id": str(lesson.pk)}
    )
    assert response.status_code == 403
    assert not QuizAttempt.objects.exists()
