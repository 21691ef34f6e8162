"""Real concurrency on PostgreSQL: the same attempt submitted twice at once is stored once.

Two threads post the same attempt token at the same moment (a barrier), each in its own
database connection, and the checking of answers is slowed down so both transactions are
certainly open together. Without the lock on the attempt row both would see it in progress
and the second would fail on the unique answer constraint (or, without it, store twice).
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections

from imh_assessments.models import QuizAnswer, QuizAttempt
from imh_assessments.services import quizzes as services
from tests.assessments import factories_quizzes as f
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _postgresql_only(db):
    if connection.vendor != "postgresql":
        pytest.skip(
            "Needs PostgreSQL: SQLite takes one writer at a time, so it cannot show the race. "
            "Run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/imh_quizzes_dev."
        )


@pytest.fixture
def slow_checking(monkeypatch):
    parse = services._answers_parse

    def parsed_slowly(**kwargs):
        result = parse(**kwargs)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(services, "_answers_parse", parsed_slowly)


def test_the_same_token_submitted_at_once_is_stored_once(slow_checking):
    trainee = UserFactory()
    quiz = f.quiz_of(f.single_choice(), f.true_false())
    page = f.lesson_page()
    with f.attempt_policy():
        attempt = services.quiz_attempt_start(user=trainee, quiz=quiz, page_id=page.pk)
    answers = f.correct_answers(attempt)
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def submit() -> None:
        try:
            barrier.wait(timeout=10)
            done = services.quiz_attempt_submit(user=trainee, token=attempt.token, answers=answers)
            with lock:
                results.append(done.pk)
        except Exception as error:  # reported by the test, not lost in the thread
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert results == [attempt.pk, attempt.pk]
    assert QuizAnswer.objects.filter(attempt=attempt).count() == 2
    stored = QuizAttempt.objects.get(pk=attempt.pk)
    assert stored.status == QuizAttempt.Status.MARKED
    assert stored.score == 2
