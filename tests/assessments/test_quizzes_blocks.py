"""The quiz block in a lesson: a card that starts the quiz and shows the person's standing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from imh_assessments.blocks.quiz import QuizBlock
from imh_assessments.services import quizzes as services
from tests.assessments import factories_quizzes as f
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _render(quiz, page, user, *, required=True):
    block = QuizBlock()
    value = block.to_python({"quiz": quiz.pk, "required": required})
    request = RequestFactory().get("/lessons/cues/")
    request.user = user
    return block.render(value, context={"page": page, "request": request, "csrf_token": "t"})


def test_block_declares_its_activity():
    block = QuizBlock()
    quiz = f.quiz_of(f.single_choice())
    assert block.activity_type == "quiz"
    assert block.activity_id(block.to_python({"quiz": quiz.pk, "required": True})) == quiz.pk
    assert block.activity_id(block.to_python({"quiz": None, "required": True})) is None
    assert block.child_blocks["required"].get_default() is True


def test_anonymous_people_are_asked_to_log_in():
    quiz = f.quiz_of(f.single_choice(), pass_mark=70, time_limit_minutes=15, attempts_allowed=3)
    html = _render(quiz, f.lesson_page(), AnonymousUser())
    assert "Quiz: Foundations check" in html
    assert "70%" in html
    assert "15 minutes" in html
    assert "3 allowed" in html
    assert "Log in to take this quiz" in html
    assert "Start quiz" not in html


def test_a_trainee_sees_start_then_try_again_with_their_best_result(
    django_assert_max_num_queries,
):
    quiz = f.quiz_of(f.single_choice(), f.true_false(), attempts_allowed=2, pass_mark=100)
    page = f.lesson_page()
    user = UserFactory()
    html = _render(quiz, page, user)
    assert "Start quiz" in html
    assert f'name="page_id" value="{page.pk}"' in html
    assert f'action="/assessments/quizzes/{quiz.pk}/start/"' in html
    assert "0 used of 2" in html

    with f.attempt_policy():
        attempt = services.quiz_attempt_start(user=user, quiz=quiz, page_id=page.pk)
        assert "Continue the quiz" in _render(quiz, page, user)
        answers = f.correct_answers(attempt)
        answers[next(iter(answers))] = f.wrong_answers(attempt)[next(iter(answers))]
        services.quiz_attempt_submit(user=user, token=attempt.token, answers=answers)

    with django_assert_max_num_queries(3):
        html = _render(quiz, page, user)
    assert "Try again" in html
    assert "1 used of 2" in html
    assert "50%" in html
    assert f"/assessments/quiz-attempts/{attempt.token}/result/" in html


def test_no_button_once_the_attempts_are_used():
    quiz = f.quiz_of(f.single_choice(), attempts_allowed=1)
    page = f.lesson_page()
    user = UserFactory()
    with f.attempt_policy():
        attempt = services.quiz_attempt_start(user=user, quiz=quiz, page_id=page.pk)
        services.quiz_attempt_submit(
            user=user, token=attempt.token, answers=f.correct_answers(attempt)
        )
    html = _render(quiz, page, user)
    assert "You have used all your attempts" in html
    assert "Passed" in html
    assert "<form" not in html


def test_a_missing_quiz_says_so_and_the_preview_renders():
    block = QuizBlock()
    html = block.render(block.to_python({"quiz": None, "required": True}))
    assert "no longer available" in html
    assert block.render(block.get_preview_value()).strip()
    f.quiz_of(f.single_choice(), title="Preview quiz")
    assert "Quiz: Preview quiz" in block.render(block.get_preview_value())
