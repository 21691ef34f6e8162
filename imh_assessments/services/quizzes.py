"""Every change to questions' options, quiz attempts and answers goes through here.

Attempts are started, submitted and marked here and nowhere else. A submission locks its
attempt row first (``select_for_update``), so a double click or a replayed POST of the same
attempt token finds the attempt already submitted and changes nothing. Submitted attempts
never change again except for marking their free-text answers, once each.

The time limit is kept on the server: an attempt's ``deadline`` is fixed when it starts, and
answers that arrive after it (plus ``GRACE`` for the network) are not recorded; the attempt
is closed as "time ran out" with a score of 0, and counts as one of the attempts allowed.
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from imh_assessments.access import pages_user_may_attempt
from imh_assessments.models import (
    ActivityPlacement,
    Question,
    QuestionCompetency,
    QuestionOption,
    Quiz,
    QuizAnswer,
    QuizAttempt,
    QuizQuestion,
)
from imh_assessments.signals import activity_passed
from imh_competencies.models import Evidence
from imh_competencies.services import evidence_record
from imh_core.formatting import time_text
from imh_core.links import site_url
from imh_core.mail import email_send
from imh_core.people import person_name

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

GRACE = datetime.timedelta(seconds=30)
FREE_TEXT_MAX_LENGTH = 5000
TRUE_TEXT, FALSE_TEXT = "True", "False"
_CENT = Decimal("0.01")


# Questions.


def question_options_check(*, kind: str, options: Sequence[tuple[str, bool]]) -> None:
    """Raise ``ValidationError`` unless ``options`` ((text, is_correct) pairs) suit ``kind``."""
    correct = sum(1 for _, is_correct in options if is_correct)
    if kind == Question.Kind.FREE_TEXT:
        if options:
            raise ValidationError("A free-text question has no options: remove them.")
    elif kind == Question.Kind.TRUE_FALSE:
        texts = sorted(text.strip() for text, _ in options)
        if options and (texts != [FALSE_TEXT, TRUE_TEXT] or correct != 1):
            raise ValidationError(
                "A true or false question has exactly two options, “True” and “False”, "
                "one of them correct."
            )
    elif kind == Question.Kind.SINGLE:
        if len(options) < 2:
            raise ValidationError(gettext("Give at least two options."))
        if correct != 1:
            raise ValidationError(gettext("Mark exactly one option as correct."))
    elif kind == Question.Kind.MULTIPLE:
        if len(options) < 2:
            raise ValidationError(gettext("Give at least two options."))
        if correct < 1:
            raise ValidationError(gettext("Mark at least one option as correct."))
    else:
        raise ValidationError(gettext("Choose a kind of question."))


def question_true_false_sync(*, question: Question) -> None:
    """Give a true or false question its two options, “True” and “False”, the right one
    marked correct. Existing rows are updated in place so answers keep pointing at them."""
    if question.kind != Question.Kind.TRUE_FALSE:
        return
    if question.true_false_answer is None:
        raise ValidationError(
            {"true_false_answer": gettext("Say whether the statement is true or false.")}
        )
    existing = {option.text.strip(): option for option in question.options.all()}
    for text, is_correct, order in (
        (TRUE_TEXT, question.true_false_answer, 0),
        (FALSE_TEXT, not question.true_false_answer, 1),
    ):
        option = existing.pop(text, None) or QuestionOption(question=question, text=text)
        option.is_correct = is_correct
        option.sort_order = order
        option.full_clean()
        option.save()
    QuestionOption.objects.filter(pk__in=[option.pk for option in existing.values()]).delete()


@transaction.atomic
def question_create(
    *,
    kind: str,
    text: str,
    options: Iterable[tuple[str, bool] | tuple[str, bool, str]] = (),
    points: int = 1,
    true_false_answer: bool | None = None,
    competencies: Iterable[tuple[Any, int]] = (),
    **fields: Any,
) -> Question:
    """Add a question to the bank. ``options`` are (text, is_correct[, feedback]) tuples;
    true or false questions take ``true_false_answer`` instead and get their options made."""
    options = [(item[0], item[1], item[2] if len(item) > 2 else "") for item in options]
    if kind != Question.Kind.TRUE_FALSE:
        question_options_check(kind=kind, options=[(t, c) for t, c, _ in options])
    elif options:
        raise ValidationError("A true or false question gets its options made for it.")
    question = Question(
        kind=kind, text=text, points=points, true_false_answer=true_false_answer, **fields
    )
    question.full_clean()
    question.save()
    for order, (option_text, is_correct, feedback) in enumerate(options):
        option = QuestionOption(
            question=question,
            text=option_text,
            is_correct=is_correct,
            feedback=feedback,
            sort_order=order,
        )
        option.full_clean()
        option.save()
    question_true_false_sync(question=question)
    for order, (competency, level) in enumerate(competencies):
        mapping = QuestionCompetency(
            question=question, competency=competency, level=level, sort_order=order
        )
        mapping.full_clean()
        mapping.save()
    return question


@transaction.atomic
def quiz_create(*, title: str, questions: Iterable[Question], **fields: Any) -> Quiz:
    """A quiz made of ``questions`` in the order given."""
    quiz = Quiz(title=title, **fields)
    quiz.full_clean()
    quiz.save()
    for order, question in enumerate(questions):
        QuizQuestion.objects.create(quiz=quiz, question=question, sort_order=order)
    return quiz


# Attempts.


def _is_expired(attempt: QuizAttempt, now: datetime.datetime) -> bool:
    return attempt.deadline is not None and now > attempt.deadline + GRACE


def _attempt_expire(attempt: QuizAttempt, now: datetime.datetime) -> None:
    """Close an attempt whose time ran out: it counts as used, scores 0 and stores no answers."""
    attempt.status = QuizAttempt.Status.EXPIRED
    attempt.submitted_at = now
    attempt.score = Decimal(0)
    attempt.percent = Decimal(0)
    attempt.passed = False
    attempt.full_clean()
    attempt.save(update_fields=["status", "submitted_at", "score", "percent", "passed"])


def _shuffled(items: list[int], rng: random.Random, shuffle: bool) -> list[int]:
    if shuffle:
        rng.shuffle(items)
    return items


def _attempt_snapshot(quiz: Quiz, token: uuid.UUID) -> tuple[list[int], dict[str, list[int]]]:
    """The question order and each question's option order for a new attempt.

    Seeded by the attempt's token, so the order is decided once and stored with the attempt.
    """
    rng = random.Random(token.int)  # noqa: S311 - an order to show, not a secret
    question_ids = list(
        QuizQuestion.objects.filter(quiz=quiz)
        .order_by("sort_order", "pk")
        .values_list("question_id", flat=True)
    )
    options: dict[str, list[int]] = {str(question_id): [] for question_id in question_ids}
    for question_id, option_id in (
        QuestionOption.objects.filter(question_id__in=question_ids)
        .order_by("question_id", "sort_order", "pk")
        .values_list("question_id", "pk")
    ):
        options[str(question_id)].append(option_id)
    question_ids = _shuffled(question_ids, rng, quiz.shuffle_questions)
    option_order = {key: _shuffled(ids, rng, quiz.shuffle_options) for key, ids in options.items()}
    return question_ids, option_order


@transaction.atomic
def quiz_attempt_start(*, user: AbstractBaseUser, quiz: Quiz, page_id: int | None) -> QuizAttempt:
    """Start an attempt at ``quiz`` from the lesson ``page_id``, or return the person's
    attempt still in progress (a second click on "Start quiz" resumes it).

    Refused (``PermissionDenied``) unless the host app's policy lets ``user`` attempt the
    activities on that page; refused (``ValidationError``) once the attempts allowed are used.
    """
    placed = (
        page_id is not None
        and ActivityPlacement.objects.filter(
            page_id=page_id, activity_type=ActivityPlacement.Type.QUIZ, activity_id=quiz.pk
        ).exists()
    )
    if not placed or page_id not in pages_user_may_attempt(user=user, page_ids=[page_id]):
        raise PermissionDenied(gettext("You cannot take this quiz here. Open it from its lesson."))
    now = timezone.now()
    attempts = list(
        QuizAttempt.objects.select_for_update().filter(quiz=quiz, user=user).order_by("number")
    )
    for attempt in attempts:
        if attempt.status == QuizAttempt.Status.IN_PROGRESS:
            if not _is_expired(attempt, now):
                return attempt
            _attempt_expire(attempt, now)
    if quiz.attempts_allowed and len(attempts) >= quiz.attempts_allowed:
        used = quiz.attempts_allowed
        raise ValidationError(
            ngettext(
                "You have used all %(count)s attempt allowed at “%(quiz)s”, so you cannot "
                "start another.",
                "You have used all %(count)s attempts allowed at “%(quiz)s”, so you cannot "
                "start another.",
                used,
            )
            % {"count": used, "quiz": quiz.title},
            code="no_attempts_left",
        )
    token = uuid.uuid4()
    question_order, option_order = _attempt_snapshot(quiz, token)
    if not question_order:
        raise ValidationError(gettext("This quiz has no questions yet."), code="no_questions")
    max_score = sum(Question.objects.filter(pk__in=question_order).values_list("points", flat=True))
    attempt = QuizAttempt(
        quiz=quiz,
        user=user,
        number=len(attempts) + 1,
        token=token,
        question_order=question_order,
        option_order=option_order,
        started_at=now,
        deadline=(
            now + datetime.timedelta(minutes=quiz.time_limit_minutes)
            if quiz.time_limit_minutes
            else None
        ),
        max_score=max_score,
        page_id=page_id,
    )
    attempt.full_clean(exclude=["page"])
    try:
        with transaction.atomic():
            attempt.save()
    except IntegrityError:
        # Two starts at once: the other one made this number first. Resume it.
        existing = QuizAttempt.objects.filter(
            quiz=quiz, user=user, status=QuizAttempt.Status.IN_PROGRESS
        ).first()
        if existing is None:
            raise
        return existing
    return attempt


def _score_choice(*, question: Question, correct: set[int], chosen: set[int]) -> Decimal:
    """Single choice and true or false: all or nothing. Multiple response: each correct
    option ticked earns its share of the points and each wrong one takes a share away, never
    below 0, so ticking everything earns nothing."""
    points = Decimal(question.points)
    if not correct:
        return Decimal(0)
    if chosen == correct:
        return points
    if question.kind != Question.Kind.MULTIPLE:
        return Decimal(0)
    right = len(chosen & correct)
    wrong = len(chosen - correct)
    share = points * Decimal(max(right - wrong, 0)) / Decimal(len(correct))
    return min(share.quantize(_CENT, rounding=ROUND_HALF_UP), points)


def _answers_parse(
    *,
    attempt: QuizAttempt,
    questions: dict[int, Question],
    answers: Mapping[int, Sequence[int | str] | str],
) -> dict[int, set[int] | str]:
    """Check each answer against what the attempt showed; errors name the question."""
    errors: dict[str, list[str]] = {}
    parsed: dict[int, set[int] | str] = {}
    for number, question_id in enumerate(attempt.question_order, start=1):
        question = questions.get(question_id)
        if question is None:
            continue
        field = f"question-{question_id}"
        given = answers.get(question_id)
        if question.kind == Question.Kind.FREE_TEXT:
            text = given if isinstance(given, str) else ""
            text = text.strip()
            if not text:
                errors[field] = [
                    gettext("Question %(number)s: write your answer.") % {"number": number}
                ]
            elif len(text) > FREE_TEXT_MAX_LENGTH:
                errors[field] = [
                    gettext(
                        "Question %(number)s: your answer must be %(limit)s characters or fewer."
                    )
                    % {"number": number, "limit": f"{FREE_TEXT_MAX_LENGTH:,}"}
                ]
            else:
                parsed[question_id] = text
            continue
        values = [given] if isinstance(given, str) else list(given or [])
        shown = set(attempt.option_order.get(str(question_id), []))
        try:
            chosen = {int(value) for value in values}
        except (TypeError, ValueError):
            chosen = {-1}
        if not chosen:
            message = (
                gettext("Question %(number)s: select one or more answers.")
                if question.kind == Question.Kind.MULTIPLE
                else gettext("Question %(number)s: select an answer.")
            )
            errors[field] = [message % {"number": number}]
        elif not chosen <= shown:
            errors[field] = [
                gettext("Question %(number)s: choose from the answers shown.") % {"number": number}
            ]
        elif question.kind != Question.Kind.MULTIPLE and len(chosen) != 1:
            errors[field] = [
                gettext("Question %(number)s: select only one answer.") % {"number": number}
            ]
        else:
            parsed[question_id] = chosen
    if errors:
        raise ValidationError(errors)
    return parsed


class AttemptTimeUp(ValidationError):
    """The answers came after the attempt's deadline and were not recorded."""


def quiz_attempt_submit(
    *,
    user: AbstractBaseUser,
    token: uuid.UUID | str,
    answers: Mapping[int, Sequence[int | str] | str],
) -> QuizAttempt:
    """Record and score the answers of the attempt ``token`` (``{question_id: option ids or
    text}``), once.

    Submitting an attempt already submitted returns it unchanged: a replayed or repeated
    POST stores nothing new. Answers after the deadline raise ``AttemptTimeUp`` and are not
    stored; the attempt is closed with a score of 0. Missing, unknown or extra option ids
    raise ``ValidationError`` keyed by ``question-<id>`` and store nothing.
    """
    attempt, time_up = _quiz_attempt_submit(user=user, token=token, answers=answers)
    if time_up:
        raise AttemptTimeUp(
            gettext("Your time ran out at %(deadline)s, so these answers were not recorded.")
            % {"deadline": time_text(attempt.deadline)},
            code="time_up",
        )
    return attempt


@transaction.atomic
def _quiz_attempt_submit(
    *,
    user: AbstractBaseUser,
    token: uuid.UUID | str,
    answers: Mapping[int, Sequence[int | str] | str],
) -> tuple[QuizAttempt, bool]:
    attempt = (
        QuizAttempt.objects.select_for_update(of=("self",))
        .select_related("quiz")
        .filter(token=token, user=user)
        .first()
    )
    if attempt is None:
        raise PermissionDenied(gettext("This is not one of your quiz attempts."))
    if attempt.status != QuizAttempt.Status.IN_PROGRESS:
        return attempt, False
    now = timezone.now()
    if _is_expired(attempt, now):
        _attempt_expire(attempt, now)
        return attempt, True
    questions = Question.objects.in_bulk(attempt.question_order)
    parsed = _answers_parse(attempt=attempt, questions=questions, answers=answers)
    if len(questions) != len(attempt.question_order):
        # A question deleted from the bank while the attempt was open is left out.
        attempt.max_score = sum(question.points for question in questions.values())
    correct: dict[int, set[int]] = {}
    for question_id, option_id in QuestionOption.objects.filter(
        question_id__in=attempt.question_order, is_correct=True
    ).values_list("question_id", "pk"):
        correct.setdefault(question_id, set()).add(option_id)
    rows = []
    for question_id in attempt.question_order:
        question = questions.get(question_id)
        if question is None:
            continue
        given = parsed[question_id]
        row = QuizAnswer(attempt=attempt, question=question, max_points=question.points)
        if isinstance(given, str):
            row.text = given
        else:
            # Kept in the order the options were shown.
            shown = attempt.option_order.get(str(question_id), [])
            row.selected_option_ids = [option_id for option_id in shown if option_id in given]
            # Options added or removed since the attempt started do not count.
            row.awarded_points = _score_choice(
                question=question,
                correct=correct.get(question_id, set()) & set(shown),
                chosen=given,
            )
        row.full_clean(exclude=["attempt", "question"])
        rows.append(row)
    QuizAnswer.objects.bulk_create(rows)
    attempt.submitted_at = now
    attempt.status = QuizAttempt.Status.AWAITING_MARKING
    attempt.save(update_fields=["submitted_at", "status", "max_score"])
    if not any(row.awarded_points is None for row in rows):
        _attempt_finalise(attempt, answers=rows)
    return attempt, False


def _attempt_finalise(attempt: QuizAttempt, *, answers: Iterable[QuizAnswer]) -> None:
    """Every answer has its points: total them, decide pass or fail, and act on a pass."""
    score = sum((answer.awarded_points for answer in answers), Decimal(0))
    percent = (
        (score * 100 / Decimal(attempt.max_score)).quantize(_CENT, rounding=ROUND_HALF_UP)
        if attempt.max_score
        else Decimal(0)
    )
    attempt.score = score
    attempt.percent = percent
    attempt.passed = percent >= attempt.quiz.pass_mark
    attempt.status = QuizAttempt.Status.MARKED
    attempt.full_clean(exclude=["page"])
    attempt.save(update_fields=["score", "percent", "passed", "status"])
    if attempt.passed:
        _attempt_passed(attempt)


def percent_text(percent: Decimal) -> str:
    """75.00 as "75", 66.67 as "66.67"."""
    return f"{percent.quantize(_CENT).normalize():f}"


def attempt_result_url(attempt: QuizAttempt) -> str:
    return reverse("imh_assessments:quiz_result", args=[attempt.token])


def _attempt_passed(attempt: QuizAttempt) -> None:
    """Count the first pass as evidence for the competencies the quiz's questions map to, and
    tell the apps above (courses completes the lesson) once the transaction commits."""
    quiz = attempt.quiz
    first_pass = not (
        QuizAttempt.objects.filter(quiz=quiz, user=attempt.user, passed=True)
        .exclude(pk=attempt.pk)
        .exists()
    )
    if first_pass:
        mappings = QuestionCompetency.objects.filter(
            question_id__in=attempt.question_order
        ).values_list("competency_id", "level")
        # The quiz is the source: passing it again never counts twice.
        evidence_record(
            user=attempt.user,
            source=quiz,
            kind=Evidence.Kind.QUIZ,
            competencies=list(mappings),
            occurred_on=timezone.localdate(attempt.submitted_at),
            title=f"Passed the quiz “{quiz.title}” with {percent_text(attempt.percent)}%",
            url=attempt_result_url(attempt),
        )
    user, quiz_id = attempt.user, quiz.pk
    page_ids = [attempt.page_id] if attempt.page_id else []
    transaction.on_commit(
        lambda: activity_passed.send(
            sender=Quiz,
            user=user,
            activity_type="quiz",
            activity_id=quiz_id,
            page_ids=page_ids,
        ),
        robust=True,
    )


# Marking.


def _email_result_ready(attempt: QuizAttempt) -> None:
    user = attempt.user
    email_send(
        to=user.email,
        subject=gettext("Your result for “%(quiz)s” is ready") % {"quiz": attempt.quiz.title},
        template="imh_assessments/quizzes/email/result_ready.txt",
        context={
            "person_name": person_name(user),
            "attempt": attempt,
            "quiz": attempt.quiz,
            "result_url": site_url(attempt_result_url(attempt)),
        },
    )


def user_may_mark(user: AbstractBaseUser) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.has_perm("imh_assessments.mark_quizanswer")
    )


@transaction.atomic
def quiz_answer_mark(
    *,
    answer: QuizAnswer,
    marker: AbstractBaseUser,
    points: Decimal | int | str,
    feedback: str = "",
) -> QuizAnswer:
    """Mark one free-text answer (once). Marking the attempt's last one finalises its score,
    acts on a pass and emails the trainee that their result is ready."""
    if not user_may_mark(marker):
        raise PermissionDenied(gettext("You do not have permission to mark quiz answers."))
    attempt = (
        QuizAttempt.objects.select_for_update(of=("self",))
        .select_related("quiz", "user")
        .get(pk=answer.attempt_id)
    )
    answer = QuizAnswer.objects.select_related("question").get(pk=answer.pk)
    if attempt.user_id == marker.pk:
        raise PermissionDenied(gettext("You cannot mark your own answers."))
    if answer.awarded_points is not None or attempt.status != QuizAttempt.Status.AWAITING_MARKING:
        raise ValidationError(
            gettext("This answer has already been marked."), code="already_marked"
        )
    try:
        points = Decimal(str(points)).quantize(_CENT, rounding=ROUND_HALF_UP)
    except ArithmeticError:
        points = None
    if points is None or not Decimal(0) <= points <= answer.max_points:
        raise ValidationError(
            {"points": gettext("Give a mark from 0 to %(max)s.") % {"max": answer.max_points}},
            code="points_range",
        )
    answer.awarded_points = points
    answer.marker_feedback = feedback.strip()
    answer.marked_by = marker
    answer.marked_at = timezone.now()
    answer.full_clean(exclude=["attempt", "question"])
    answer.save(update_fields=["awarded_points", "marker_feedback", "marked_by", "marked_at"])
    answers = list(QuizAnswer.objects.filter(attempt=attempt))
    if all(row.awarded_points is not None for row in answers):
        _attempt_finalise(attempt, answers=answers)
        _email_result_ready(attempt)
    return answer
