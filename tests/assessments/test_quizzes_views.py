"""Quiz pages: start from a lesson, answer, submit (once), see the result."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from imh_assessments.models import Question, QuizAnswer, QuizAttempt
from imh_assessments.services import quizzes as services
from tests.assessments import factories_quizzes as f
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def page():
    return f.lesson_page()


@pytest.fixture
def policy():
    with f.attempt_policy():
        yield


@pytest.fixture
def trainee(client):
    user = UserFactory()
    client.force_login(user)
    return user


def _post_answers(client, attempt, answers):
    data = {}
    for question_id, value in answers.items():
        data[f"question-{question_id}"] = value
    return client.post(reverse("imh_assessments:quiz_submit", args=[attempt.token]), data)


def _started(client, quiz, page):
    response = client.post(
        reverse("imh_assessments:quiz_start", args=[quiz.pk]), {"page_id": str(page.pk)}
    )
    attempt = QuizAttempt.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("imh_assessments:quiz_take", args=[attempt.token])
    return attempt


def test_start_take_submit_and_see_the_result(client, page, policy, trainee):
    single, free = f.single_choice(), f.free_text()
    quiz = f.quiz_of(single, f.true_false(), free, time_limit_minutes=20)
    attempt = _started(client, quiz, page)
    assert attempt.page_id == page.pk
    assert attempt.user == trainee

    response = client.get(reverse("imh_assessments:quiz_take", args=[attempt.token]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Which age is infancy?" in html
    assert f'name="question-{single.pk}" type="radio"' in html
    assert f'<textarea class="nhsuk-textarea" id="question-{free.pk}"' in html
    assert 'id="quiz-timer"' in html
    assert "quiz-timer.js" in html
    assert reverse("imh_assessments:quiz_submit", args=[attempt.token]) in html

    response = _post_answers(client, attempt, f.correct_answers(attempt))
    result_url = reverse("imh_assessments:quiz_result", args=[attempt.token])
    assert response.status_code == 302
    assert response["Location"] == result_url

    html = client.get(result_url).content.decode()
    assert "Awaiting marking" in html
    assert "Yes: the first two years." in html  # the chosen option's feedback
    assert "Turn-taking between baby and adult." in html


def test_result_page_shows_score_and_pass(client, page, policy, trainee):
    quiz = f.quiz_of(f.single_choice(), f.true_false(), pass_mark=50)
    attempt = _started(client, quiz, page)
    _post_answers(client, attempt, f.correct_answers(attempt))
    html = client.get(reverse("imh_assessments:quiz_result", args=[attempt.token])).content.decode()
    assert "Passed" in html
    assert "2 out of 2 (100%)" in html
    assert page.get_url() is None or "Go back to the lesson" in html


def test_no_answer_selected_shows_a_clear_error_and_stores_nothing(client, page, policy, trainee):
    first, second = f.single_choice(), f.multiple_response()
    quiz = f.quiz_of(first, second)
    attempt = _started(client, quiz, page)
    answers = f.correct_answers(attempt)
    del answers[second.pk]
    response = _post_answers(client, attempt, answers)
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert f'<a href="#question-{second.pk}">Question 2: select one or more answers.</a>' in html
    assert '<span class="nhsuk-u-visually-hidden">Error:</span> Question 2' in html
    assert html.startswith("<!DOCTYPE html>")
    assert "<title>Error: " in html
    # What was chosen is kept.
    chosen = answers[first.pk][0]
    assert f'value="{chosen}" checked' in html
    assert not QuizAnswer.objects.exists()
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.IN_PROGRESS


def test_unknown_option_ids_are_refused(client, page, policy, trainee):
    question = f.single_choice()
    quiz = f.quiz_of(question)
    attempt = _started(client, quiz, page)
    response = _post_answers(client, attempt, {question.pk: ["123456"]})
    assert response.status_code == 400
    assert "Question 1: choose from the answers shown." in response.content.decode()
    assert not QuizAnswer.objects.exists()


def test_the_same_submission_twice_stores_once_and_redirects(client, page, policy, trainee):
    quiz = f.quiz_of(f.single_choice(), f.true_false())
    attempt = _started(client, quiz, page)
    first = _post_answers(client, attempt, f.correct_answers(attempt))
    second = _post_answers(client, attempt, f.wrong_answers(attempt))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    attempt.refresh_from_db()
    assert attempt.score == 2
    assert QuizAnswer.objects.count() == 2
    assert QuizAttempt.objects.count() == 1


def test_someone_elses_attempt_is_not_found(client, page, policy, trainee):
    owner = UserFactory()
    quiz = f.quiz_of(f.single_choice())
    attempt = services.quiz_attempt_start(user=owner, quiz=quiz, page_id=page.pk)
    assert client.get(reverse("imh_assessments:quiz_take", args=[attempt.token])).status_code == 404
    response = _post_answers(client, attempt, f.correct_answers(attempt))
    assert response.status_code == 404
    services.quiz_attempt_submit(
        user=owner, token=attempt.token, answers=f.correct_answers(attempt)
    )
    result_url = reverse("imh_assessments:quiz_result", args=[attempt.token])
    assert client.get(result_url).status_code == 404
    assert QuizAnswer.objects.count() == 1


def test_educators_may_read_any_result(client, page, policy):
    owner = UserFactory()
    quiz = f.quiz_of(f.single_choice())
    attempt = services.quiz_attempt_start(user=owner, quiz=quiz, page_id=page.pk)
    services.quiz_attempt_submit(
        user=owner, token=attempt.token, answers=f.correct_answers(attempt)
    )
    client.force_login(f.educator())
    response = client.get(reverse("imh_assessments:quiz_result", args=[attempt.token]))
    assert response.status_code == 200
    assert owner.email in response.content.decode()


def test_anonymous_people_are_sent_to_log_in(client, page, policy):
    quiz = f.quiz_of(f.single_choice())
    response = client.post(
        reverse("imh_assessments:quiz_start", args=[quiz.pk]), {"page_id": str(page.pk)}
    )
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert not QuizAttempt.objects.exists()


def test_starting_without_a_page_or_permission_is_refused(client, page, trainee):
    quiz = f.quiz_of(f.single_choice())
    url = reverse("imh_assessments:quiz_start", args=[quiz.pk])
    with f.attempt_policy(allowed={page.pk}):
        response = client.post(url, {})
        assert response.status_code == 403
        assert "You cannot take this quiz" in response.content.decode()
        assert client.post(url, {"page_id": "nonsense"}).status_code == 403
    with f.attempt_policy(allowed=set()):
        assert client.post(url, {"page_id": str(page.pk)}).status_code == 403
    assert not QuizAttempt.objects.exists()


def test_starting_beyond_the_limit_says_why(client, page, policy, trainee):
    quiz = f.quiz_of(f.single_choice(), attempts_allowed=1)
    attempt = _started(client, quiz, page)
    _post_answers(client, attempt, f.wrong_answers(attempt))
    response = client.post(
        reverse("imh_assessments:quiz_start", args=[quiz.pk]),
        {"page_id": str(page.pk)},
        follow=True,
    )
    assert "You have used all 1 attempt allowed" in response.content.decode()
    assert QuizAttempt.objects.count() == 1


def test_late_answers_are_refused_with_the_time(client, page, policy, trainee):
    quiz = f.quiz_of(f.single_choice(), time_limit_minutes=5)
    start = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 0))
    with time_machine.travel(start, tick=False):
        attempt = _started(client, quiz, page)
    with time_machine.travel(start + datetime.timedelta(minutes=7), tick=False):
        response = _post_answers(client, attempt, f.correct_answers(attempt))
        assert response.status_code == 302
        html = client.get(response["Location"]).content.decode()
    assert "Your time ran out at 9:05am, so these answers were not recorded." in html
    assert "Time ran out" in html
    assert not QuizAnswer.objects.exists()


def test_free_text_too_long_is_refused(client, page, policy, trainee):
    question = f.free_text()
    quiz = f.quiz_of(question)
    attempt = _started(client, quiz, page)
    response = _post_answers(client, attempt, {question.pk: "x" * 5001})
    assert response.status_code == 400
    assert "5,000 characters or fewer" in response.content.decode()
    assert Question.objects.count() == 1
    assert not QuizAnswer.objects.exists()
