"""Reads for quizzes: who passed what, a person's standing on a quiz, attempts to show."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from imh_assessments.models import Question, QuestionOption, Quiz, QuizAnswer, QuizAttempt


def quiz_ids_passed(*, user, quiz_ids: Iterable[int]) -> set[int]:
    """The ids, among ``quiz_ids``, of quizzes ``user`` has passed (one query)."""
    quiz_ids = list(quiz_ids)
    if not quiz_ids or not getattr(user, "is_authenticated", False):
        return set()
    return set(
        QuizAttempt.objects.filter(user=user, quiz_id__in=quiz_ids, passed=True)
        .order_by()
        .values_list("quiz_id", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class QuizStanding:
    """A person's attempts at a quiz so far, for the quiz card on a lesson."""

    attempts_used: int
    best_percent: Decimal | None
    passed: bool
    awaiting_marking: bool
    in_progress: QuizAttempt | None
    last_attempt_token: Any

    def attempts_left(self, quiz: Quiz) -> int | None:
        if not quiz.attempts_allowed:
            return None
        return max(quiz.attempts_allowed - self.attempts_used, 0)

    def can_start(self, quiz: Quiz) -> bool:
        left = self.attempts_left(quiz)
        return self.in_progress is not None or left is None or left > 0


def quiz_standing(*, user, quiz: Quiz) -> QuizStanding:
    """Attempts used, best result, pass and any attempt in progress (two queries)."""
    if not getattr(user, "is_authenticated", False):
        return QuizStanding(0, None, False, False, None, None)
    attempts = QuizAttempt.objects.filter(user=user, quiz=quiz)
    summary = attempts.aggregate(
        used=Count("pk"),
        best=Max("percent"),
        passed=Count("pk", filter=Q(passed=True)),
        awaiting=Count("pk", filter=Q(status=QuizAttempt.Status.AWAITING_MARKING)),
    )
    latest = attempts.order_by("-number").only("pk", "token", "status", "deadline").first()
    in_progress = (
        latest if latest is not None and latest.status == QuizAttempt.Status.IN_PROGRESS else None
    )
    return QuizStanding(
        attempts_used=summary["used"],
        best_percent=summary["best"],
        passed=bool(summary["passed"]),
        awaiting_marking=bool(summary["awaiting"]),
        in_progress=in_progress,
        last_attempt_token=latest.token if latest is not None else None,
    )


def quiz_answers_revealed(*, user, quiz: Quiz) -> bool:
    """Right answers are shown once the person has passed or has no attempts left, so they
    cannot simply copy them into their next attempt (one query)."""
    in_progress = Q(status=QuizAttempt.Status.IN_PROGRESS)
    summary = QuizAttempt.objects.filter(user=user, quiz=quiz).aggregate(
        used=Count("pk", filter=~in_progress),
        open=Count("pk", filter=in_progress),
        passed=Count("pk", filter=Q(passed=True)),
    )
    if summary["passed"]:
        return True
    return (
        bool(quiz.attempts_allowed)
        and not summary["open"]
        and summary["used"] >= quiz.attempts_allowed
    )


def user_may_review_attempts(user) -> bool:
    """Educators (and anyone given the permission) may read every attempt."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.has_perm("imh_assessments.view_quizattempt")
    )


def attempt_for_viewer(*, token, user) -> QuizAttempt | None:
    """The attempt ``token`` if ``user`` owns it or reviews attempts, else None."""
    if not getattr(user, "is_authenticated", False):
        return None
    attempts = QuizAttempt.objects.select_related("quiz", "user", "page").filter(token=token)
    if not user_may_review_attempts(user):
        attempts = attempts.filter(user=user)
    return attempts.first()


@dataclass
class OptionRow:
    option: QuestionOption | None
    option_id: int
    chosen: bool


@dataclass
class QuestionRow:
    number: int
    question: Question
    options: list[OptionRow]
    answer: QuizAnswer | None = None
    text: str = ""

    @property
    def field_name(self) -> str:
        return f"question-{self.question.pk}"

    @property
    def outcome(self) -> str:
        """ "right", "partly", "wrong" or "awaiting" (free text not yet marked)."""
        answer = self.answer
        if answer is None or answer.awarded_points is None:
            return "awaiting"
        if answer.awarded_points >= answer.max_points:
            return "right"
        return "partly" if answer.awarded_points > 0 else "wrong"


def attempt_questions(
    *, attempt: QuizAttempt, selected: dict[int, Any] | None = None
) -> list[QuestionRow]:
    """The attempt's questions and options in the order it showed them (two queries, three
    with answers). ``selected`` marks what the person chose ({question_id: ids or text})
    before submitting; after, the stored answers are attached."""
    questions = Question.objects.in_bulk(attempt.question_order)
    option_ids = [i for ids in attempt.option_order.values() for i in ids]
    options = QuestionOption.objects.in_bulk(option_ids)
    answers: dict[int, QuizAnswer] = {}
    if attempt.status != QuizAttempt.Status.IN_PROGRESS:
        answers = {
            answer.question_id: answer
            for answer in QuizAnswer.objects.filter(attempt=attempt).select_related("marked_by")
        }
    rows = []
    for number, question_id in enumerate(attempt.question_order, start=1):
        question = questions.get(question_id)
        if question is None:
            continue
        answer = answers.get(question_id)
        text = ""
        chosen: set[int] = set()
        if answer is not None:
            chosen = set(answer.selected_option_ids)
            text = answer.text
        else:
            given = (selected or {}).get(question_id) or []
            if isinstance(given, str):
                text = given
            else:
                for value in given:
                    with contextlib.suppress(TypeError, ValueError):
                        chosen.add(int(value))
        rows.append(
            QuestionRow(
                number=number,
                question=question,
                options=[
                    OptionRow(
                        option=options.get(option_id),
                        option_id=option_id,
                        chosen=option_id in chosen,
                    )
                    for option_id in attempt.option_order.get(str(question_id), [])
                ],
                answer=answer,
                text=text,
            )
        )
    return rows


def marking_queue() -> QuerySet[QuizAnswer]:
    """Free-text answers awaiting marking in submitted attempts, oldest first."""
    return (
        QuizAnswer.objects.filter(
            awarded_points__isnull=True,
            attempt__status=QuizAttempt.Status.AWAITING_MARKING,
        )
        .select_related("attempt__quiz", "attempt__user", "question")
        .order_by("attempt__submitted_at", "pk")
    )
