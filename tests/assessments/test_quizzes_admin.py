"""Quiz admin: educators edit the bank and quizzes, and mark free-text answers."""

from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import rich_text

from imh_assessments.models import Question, QuizAnswer, QuizAttempt
from imh_assessments.services import quizzes as services
from tests.assessments import factories_quizzes as f
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def educator(client):
    user = f.educator()
    client.force_login(user)
    return user


def _submitted_free_text(points=2):
    trainee = UserFactory()
    quiz = f.quiz_of(f.free_text(points=points), pass_mark=50)
    page = f.lesson_page()
    with f.attempt_policy():
        attempt = services.quiz_attempt_start(user=trainee, quiz=quiz, page_id=page.pk)
        services.quiz_attempt_submit(
            user=trainee, token=attempt.token, answers=f.correct_answers(attempt)
        )
    return attempt


def test_educators_reach_the_bank_quizzes_and_marking_queue(client, educator):
    f.quiz_of(f.single_choice())
    for name in (
        "wagtailsnippets_imh_assessments_question:list",
        "wagtailsnippets_imh_assessments_question:add",
        "wagtailsnippets_imh_assessments_quiz:list",
        "wagtailsnippets_imh_assessments_quiz:add",
        "quiz_marking:index",
    ):
        assert client.get(reverse(name)).status_code == 200, name


def test_trainees_cannot_reach_the_marking_queue(client):
    user = UserFactory()
    client.force_login(user)
    response = client.get(reverse("quiz_marking:index"))
    assert response.status_code in (302, 403)


def test_marking_through_the_admin_finalises_the_attempt(client, educator):
    attempt = _submitted_free_text(points=2)
    answer = QuizAnswer.objects.get(attempt=attempt)
    queue = client.get(reverse("quiz_marking:index")).content.decode()
    assert reverse("quiz_marking:mark", args=[answer.pk]) in queue

    url = reverse("quiz_marking:mark", args=[answer.pk])
    page = client.get(url).content.decode()
    assert "Turn-taking between baby and adult." in page
    assert "Look for turn-taking." in page

    response = client.post(url, {"points": "3", "feedback": ""})
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 2" in response.content.decode()
    answer.refresh_from_db()
    assert answer.awarded_points is None

    response = client.post(url, {"points": "1.5", "feedback": "Say more about the adult."})
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.MARKED
    assert attempt.percent == 75
    assert attempt.passed is True
    assert (
        "Nothing is waiting to be marked"
        in client.get(reverse("quiz_marking:index")).content.decode()
    )
    # Marking again changes nothing.
    client.post(url, {"points": "0"})
    answer.refresh_from_db()
    assert answer.awarded_points == 1.5


def _question_post(kind, options, **extra):
    data = {
        "kind": kind,
        "text": rich_text("<p>Is this right?</p>"),
        "category": "",
        "points": "1",
        "general_feedback": rich_text(""),
        "model_answer": "",
        "marking_guidance": "",
        "options-TOTAL_FORMS": str(len(options)),
        "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "1000",
        "competency_mappings-TOTAL_FORMS": "0",
        "competency_mappings-INITIAL_FORMS": "0",
        "competency_mappings-MIN_NUM_FORMS": "0",
        "competency_mappings-MAX_NUM_FORMS": "1000",
        **extra,
    }
    for index, (text, correct) in enumerate(options):
        data[f"options-{index}-text"] = text
        data[f"options-{index}-feedback"] = ""
        data[f"options-{index}-ORDER"] = str(index + 1)
        if correct:
            data[f"options-{index}-is_correct"] = "on"
    return data


def test_the_question_editor_checks_the_options(client, educator):
    url = reverse("wagtailsnippets_imh_assessments_question:add")
    response = client.post(url, _question_post("single", [("A", True), ("B", True)]))
    assert response.status_code == 200
    assert "Mark exactly one option as correct." in response.content.decode()
    assert not Question.objects.exists()

    response = client.post(url, _question_post("single", [("A", True), ("B", False)]))
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.options.count() == 2


def test_the_question_editor_makes_true_false_options(client, educator):
    url = reverse("wagtailsnippets_imh_assessments_question:add")
    response = client.post(url, _question_post("true_false", []))
    assert response.status_code == 200
    assert not Question.objects.exists()
    response = client.post(url, _question_post("true_false", [], true_false_answer="false"))
    assert response.status_code == 302
    question = Question.objects.get()
    assert sorted(question.options.values_list("text", "is_correct")) == [
        ("False", True),
        ("True", False),
    ]


def test_attempted_quizzes_and_used_questions_are_not_deleted(client, educator):
    attempt = _submitted_free_text()
    quiz, question = attempt.quiz, QuizAnswer.objects.get(attempt=attempt).question
    for name, obj in (
        ("wagtailsnippets_imh_assessments_quiz:delete", quiz),
        ("wagtailsnippets_imh_assessments_question:delete", question),
    ):
        url = reverse(name, args=[obj.pk])
        response = client.post(url, follow=True)
        assert "cannot be deleted" in response.content.decode()
        assert type(obj).objects.filter(pk=obj.pk).exists()

    unused = f.single_choice()
    url = reverse("wagtailsnippets_imh_assessments_question:delete", args=[unused.pk])
    assert client.post(url).status_code == 302
    assert not Question.objects.filter(pk=unused.pk).exists()


def test_educators_list_attempts_read_only(client, educator, django_assert_max_num_queries):
    attempt = _submitted_free_text()
    for _ in range(3):
        _submitted_free_text()
    with django_assert_max_num_queries(30):
        response = client.get(reverse("quiz_attempts:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert attempt.user.email in html
    assert reverse("imh_assessments:quiz_result", args=[attempt.token]) in html
    assert client.get(reverse("quiz_attempts:inspect", args=[attempt.pk])).status_code == 200
    assert client.get(reverse("quiz_attempts:edit", args=[attempt.pk])).status_code in (302, 403)
    assert client.get(reverse("quiz_attempts:add")).status_code in (302, 403)
