"""The admin's quiz attempts download: text that starts like a formula is never run."""

from __future__ import annotations

import pytest
from django.urls import reverse

from imh_assessments.models import Quiz
from imh_assessments.services import quizzes as services
from tests.assessments import factories_quizzes as f
from tests.factories import UserFactory
from tests.spreadsheets import RISKY_IDS, RISKY_VALUES, assert_plain_text, csv_rows, xlsx_rows

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("risky", RISKY_VALUES, ids=RISKY_IDS)
def test_attempt_export_quotes_risky_quiz_titles(client, risky):
    quiz = f.quiz_of(f.single_choice(), pass_mark=50)
    Quiz.objects.filter(pk=quiz.pk).update(title=risky)
    page = f.lesson_page()
    trainee = UserFactory(email="trainee@example.org")
    with f.attempt_policy():
        services.quiz_attempt_start(user=trainee, quiz=quiz, page_id=page.pk)
    client.force_login(f.educator())
    url = reverse("quiz_attempts:index")

    [row] = csv_rows(client.get(url, {"export": "csv"}))
    assert row["Quiz"] == f"'{risky}"

    [row] = xlsx_rows(client.get(url, {"export": "xlsx"}))
    assert_plain_text(row["Quiz"], f"'{risky}")
    assert row["Email"].value == "trainee@example.org"
