"""Quiz services: questions, scoring, attempts (limits, time, replays), marking, evidence."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from imh_assessments.models import Question, QuestionOption, QuizAnswer, QuizAttempt
from imh_assessments.selectors.quizzes import marking_queue, quiz_ids_passed, quiz_standing
from imh_assessments.services import quizzes as services
from imh_assessments.signals import activity_passed
from imh_competencies.models import Evidence
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
def trainee():
    return UserFactory()


def _start(quiz, user, page):
    return services.quiz_attempt_start(user=user, quiz=quiz, page_id=page.pk)


# Questions.


def test_single_choice_needs_exactly_one_correct_option():
    with pytest.raises(ValidationError, match="exactly one option"):
        services.question_create(
            kind=Question.Kind.SINGLE, text="Q", options=[("A", True), ("B", True)]
        )
    with pytest.raises(ValidationError, match="at least two"):
        services.question_create(kind=Question.Kind.SINGLE, text="Q", options=[("A", True)])
    assert not Question.objects.exists()


def test_multiple_response_needs_a_correct_option_and_free_text_none():
    with pytest.raises(ValidationError, match="at least one option"):
        services.question_create(
            kind=Question.Kind.MULTIPLE, text="Q", options=[("A", False), ("B", False)]
        )
    with pytest.raises(ValidationError, match="no options"):
        services.question_create(kind=Question.Kind.FREE_TEXT, text="Q", options=[("A", True)])
    assert not Question.objects.exists()


def test_true_false_gets_its_two_options_made_and_kept_on_change():
    question = f.true_false(answer=False)
    options = {o.text: o for o in question.options.all()}
    assert set(options) == {"True", "False"}
    assert options["False"].is_correct
    assert not options["True"].is_correct

    question.true_false_answer = True
    question.save()
    services.question_true_false_sync(question=question)
    after = {o.text: o for o in question.options.all()}
    assert after["True"].is_correct
    assert not after["False"].is_correct
    assert {o.pk for o in after.values()} == {o.pk for o in options.values()}


def test_true_false_without_an_answer_is_refused():
    with pytest.raises(ValidationError):
        services.question_create(kind=Question.Kind.TRUE_FALSE, text="Q")
    assert not Question.objects.exists()


def test_pass_mark_is_checked_in_the_database():
    quiz = f.quiz_of(f.single_choice())
    quiz.pass_mark = 101
    with pytest.raises(ValidationError):
        quiz.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        quiz.save()


# Scoring.


def test_all_right_scores_full_marks_and_passes(page, policy, trainee):
    quiz = f.quiz_of(f.single_choice(), f.multiple_response(), f.true_false(), pass_mark=80)
    attempt = _start(quiz, trainee, page)
    assert attempt.max_score == 4

    attempt = services.quiz_attempt_submit(
        user=trainee, token=attempt.token, answers=f.correct_answers(attempt)
    )
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.MARKED
    assert attempt.score == Decimal(4)
    assert attempt.percent == Decimal(100)
    assert attempt.passed is True
    assert attempt.submitted_at is not None
    assert QuizAnswer.objects.filter(attempt=attempt).count() == 3


def test_wrong_answers_score_nothing_and_fail(page, policy, trainee):
    quiz = f.quiz_of(f.single_choice(), f.true_false(), pass_mark=50)
    attempt = _start(quiz, trainee, page)
    services.quiz_attempt_submit(
        user=trainee, token=attempt.token, answers=f.wrong_answers(attempt)
    )
    attempt.refresh_from_db()
    assert attempt.score == 0
    assert attempt.percent == 0
    assert attempt.passed is False


def test_multiple_response_earns_partial_credit_and_loses_it_for_wrong_ticks(page, policy, trainee):
    question = f.multiple_response(points=2)
    eye, smile, away, arch = question.options.order_by("sort_order")
    quiz = f.quiz_of(question, pass_mark=50)

    def score(chosen):
        attempt = _start(quiz, trainee, page)
        services.quiz_attempt_submit(
            user=trainee, token=attempt.token, answers={question.pk: [o.pk for o in chosen]}
        )
        return QuizAnswer.objects.get(attempt=attempt).awarded_points

    assert score([eye]) == Decimal(1)
    assert score([eye, smile]) == Decimal(2)
    assert score([eye, away]) == Decimal(0)
    assert score([eye, smile, away, arch]) == Decimal(0)
    assert score([eye, smile, away]) == Decimal(1)


def test_percent_decides_the_pass_against_the_pass_mark(page, policy, trainee):
    first, second = f.single_choice(), f.single_choice()
    quiz = f.quiz_of(first, second, pass_mark=50)
    attempt = _start(quiz, trainee, page)
    answers = f.correct_answers(attempt)
    answers[second.pk] = [second.options.filter(is_correct=False).first().pk]
    services.quiz_attempt_submit(user=trainee, token=attempt.token, answers=answers)
    attempt.refresh_from_db()
    assert attempt.percent == Decimal(50)
    assert attempt.passed is True


# Bad answers store nothing.


def test_a_missing_answer_is_refused_naming_the_question(page, policy, trainee):
    first, second = f.single_choice(), f.true_false()
    quiz = f.quiz_of(first, second)
    attempt = _start(quiz, trainee, page)
    answers = f.correct_answers(attempt)
    answers[second.pk] = []
    with pytest.raises(ValidationError) as caught:
        services.quiz_attempt_submit(user=trainee, token=attempt.token, answers=answers)
    number = attempt.question_order.index(second.pk) + 1
    assert caught.value.message_dict == {
        f"question-{second.pk}": [f"Question {number}: select an answer."]
    }
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.IN_PROGRESS
    assert not QuizAnswer.objects.exists()


@pytest.mark.parametrize("bad", [["999999"], ["not-a-number"], None])
def test_unknown_or_extra_option_ids_are_refused(page, policy, trainee, bad):
    question = f.single_choice()
    other = f.single_choice()
    quiz = f.quiz_of(question)
    attempt = _start(quiz, trainee, page)
    if bad is None:
        # An option of a question this attempt did not show, or two answers to one question.
        for given in (
            [other.options.first().pk],
            list(question.options.values_list("pk", flat=True)[:2]),
        ):
            with pytest.raises(ValidationError):
                services.quiz_attempt_submit(
                    user=trainee, token=attempt.token, answers={question.pk: given}
                )
    else:
        with pytest.raises(ValidationError, match="choose from the answers shown"):
            services.quiz_attempt_submit(
                user=trainee, token=attempt.token, answers={question.pk: bad}
            )
    assert not QuizAnswer.objects.exists()
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.IN_PROGRESS


def test_someone_elses_token_is_refused(page, policy, trainee):
    quiz = f.quiz_of(f.single_choice())
    attempt = _start(quiz, trainee, page)
    with pytest.raises(PermissionDenied):
        services.quiz_attempt_submit(
            user=UserFactory(), token=attempt.token, answers=f.correct_answers(attempt)
        )
    assert not QuizAnswer.objects.exists()


# Replays and immutability.


def test_the_same_token_submitted_twice_is_stored_once(page, policy, trainee):
    quiz = f.quiz_of(f.single_choice(), f.true_false())
    attempt = _start(quiz, trainee, page)
    first = services.quiz_attempt_submit(
        user=trainee, token=attempt.token, answers=f.correct_answers(attempt)
    )
    again = services.quiz_attempt_submit(
        user=trainee, token=str(attempt.token), answers=f.wrong_answers(attempt)
    )
    assert again.pk == first.pk
    again.refresh_from_db()
    assert again.score == first.score == Decimal(2)
    assert again.submitted_at == first.submitted_at
    assert QuizAnswer.objects.filter(attempt=attempt).count() == 2
    assert QuizAttempt.objects.count() == 1


def test_a_replay_after_the_deadline_still_just_returns_the_result(page, policy, trainee):
    quiz = f.quiz_of(f.single_choice(), time_limit_minutes=5)
    attempt = _start(quiz, trainee, page)
    services.quiz_attempt_submit(
        user=trainee, token=attempt.token, answers=f.correct_answers(attempt)
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
        again = services.quiz_attempt_submit(
            user=trainee, token=attempt.token, answers=f.wrong_answers(attempt)
        )
    assert again.status == QuizAttempt.Status.MARKED
    assert again.passed is True


def test_submitted_attempts_cannot_be_marked_again(page, policy, trainee):
    quiz = f.quiz_of(f.single_choice())
    attempt = _start(quiz, trainee, page)
    services.quiz_attempt_submit(
        user=trainee, token=attempt.token, answers=f.correct_answers(attempt)
    )
    answer = QuizAnswer.objects.get(attempt=attempt)
    with pytest.raises(ValidationError, match="already been marked"):
        services.quiz_answer_mark(answer=answer, marker=f.educator(), points=0)
    answer.refresh_from_db()
    assert answer.awarded_points == 1


def test_the_database_refuses_a_final_status_without_a_result(page, policy, trainee):
    quiz = f.quiz_of(f.single_choice())
    attempt = _start(quiz, trainee, page)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuizAttempt.objects.filter(pk=attempt.pk).update(
            status=QuizAttempt.Status.MARKED, submitted_at=timezone.now()
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        QuizAttempt.objects.filter(pk=attempt.pk).update(submitted_at=timezone.now())


# Shuffling.


def test_shuffled_orders_are_stored_with_the_attempt(page, policy, trainee):
    questions = [f.single_choice(text=f"Question {n}") for n in range(8)]
    quiz = f.quiz_of(*questions, shuffle_questions=True, shuffle_options=True)
    in_order = [q.pk for q in questions]
    orders = set()
    for _ in range(4):
        attempt = _start(quiz, trainee, page)
        assert sorted(attempt.question_order) == sorted(in_order)
        for question in questions:
            shown = attempt.option_order[str(question.pk)]
            assert sorted(shown) == sorted(question.options.values_list("pk", flat=True))
        orders.add(tuple(attempt.question_order))
        stored = QuizAttempt.objects.get(pk=attempt.pk)
        assert stored.question_order == attempt.question_order
        assert stored.option_order == attempt.option_order
        services.quiz_attempt_submit(
            user=trainee, token=attempt.token, answers=f.correct_answers(attempt)
        )
    # Eight questions: four attempts in the same order would be a 1 in 40320**3 chance.
    assert len(orders) > 1


def test_without_shuffling_the_quiz_order_is_kept(page, policy, trainee):
    questions = [f.single_choice(text=f"Question {n}") for n in range(4)]
    quiz = f.quiz_of(*questions)
    attempt = _start(quiz, trainee, page)
    assert attempt.question_order == [q.pk for q in questions]
    first = questions[0]
    assert attempt.option_order[str(first.pk)] == list(
        first.options.order_by("sort_order").values_list("pk", flat=True)
    )


# Starting: who, how often.


def test_nobody_may_start_from_a_page_the_policy_refuses_or_without_a_page(page, trainee):
    quiz = f.quiz_of(f.single_choice())
    with f.attempt_policy(allowed={page.pk}), pytest.raises(PermissionDenied):
        services.quiz_attempt_start(user=trainee, quiz=quiz, page_id=None)
    with f.attempt_policy(allowed=set()), pytest.raises(PermissionDenied):
        _start(quiz, trainee, page)
    assert not QuizAttempt.objects.exists()


def test_starting_again_resumes_the_attempt_in_progress(page, policy, trainee):
    quiz = f.quiz_of(f.single_choice())
    first = _start(quiz, trainee, page)
    assert _start(quiz, trainee, page).pk == first.pk
    assert QuizAttempt.objects.count() == 1


def test_attempts_beyond_the_limit_are_refused(page, policy, trainee):
    quiz = f.quiz_of(f.single_choice(), attempts_allowed=2)
    for number in (1, 2):
        attempt = _start(quiz, trainee, page)
        assert attempt.number == number
        services.quiz_attempt_submit(
            user=trainee, token=attempt.token, answers=f.wrong_answers(attempt)
        )
    with pytest.raises(ValidationError, match="used all 2 attempts"):
        _start(quiz, trainee, page)
    assert QuizAttempt.objects.count() == 2
    standing = quiz_standing(user=trainee, quiz=quiz)
    assert standing.attempts_used == 2
    assert not standing.can_start(quiz)
    # Someone else still has theirs.
    assert _start(quiz, UserFactory(), page).number == 1


def test_attempt_numbers_are_unique_per_person_and_quiz(page, policy, trainee):
    quiz = f.quiz_of(f.single_choice())
    attempt = _start(quiz, trainee, page)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuizAttempt.objects.create(
            quiz=quiz, user=trainee, number=attempt.number, started_at=timezone.now()
        )


# Time limit.


def test_answers_after_the_deadline_are_not_recorded(page, policy, trainee):
    quiz = f.quiz_of(f.single_choice(), time_limit_minutes=10)
    start = timezone.make_aware(datetime.datetime(2026, 6, 1, 14, 22))
    with time_machine.travel(start, tick=False):
        attempt = _start(quiz, trainee, page)
    assert attempt.deadline == start + datetime.timedelta(minutes=10)

    late = start + datetime.timedelta(minutes=10, seconds=31)
    with (
        time_machine.travel(late, tick=False),
        pytest.raises(services.AttemptTimeUp) as caught,
    ):
        services.quiz_attempt_submit(
            user=trainee, token=attempt.token, answers=f.correct_answers(attempt)
        )
    # Local (London) time, as the trainee saw it on the page.
    assert caught.value.messages == [
        "Your time ran out at 2:32pm, so these answers were not recorded."
    ]
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.EXPIRED
    assert attempt.score == 0
    assert attempt.passed is False
    assert not QuizAnswer.objects.exists()


def test_answers_within_the_grace_period_count(page, policy, trainee):
    quiz = f.quiz_of(f.single_choice(), time_limit_minutes=10)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        attempt = _start(quiz, trainee, page)
    with time_machine.travel(start + datetime.timedelta(minutes=10, seconds=25), tick=False):
        services.quiz_attempt_submit(
            user=trainee, token=attempt.token, answers=f.correct_answers(attempt)
        )
    attempt.refresh_from_db()
    assert attempt.passed is True


def test_an_expired_attempt_counts_and_a_new_one_can_start(page, policy, trainee):
    quiz = f.quiz_of(f.single_choice(), time_limit_minutes=5, attempts_allowed=2)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        first = _start(quiz, trainee, page)
    with time_machine.travel(start + datetime.timedelta(minutes=6), tick=False):
        second = _start(quiz, trainee, page)
    first.refresh_from_db()
    assert first.status == QuizAttempt.Status.EXPIRED
    assert second.number == 2
    assert second.status == QuizAttempt.Status.IN_PROGRESS


# Marking free text.


def test_free_text_waits_for_marking_then_the_last_mark_finalises(page, policy, trainee):
    quiz = f.quiz_of(f.single_choice(), f.free_text(points=3), pass_mark=75)
    attempt = _start(quiz, trainee, page)
    services.quiz_attempt_submit(
        user=trainee, token=attempt.token, answers=f.correct_answers(attempt)
    )
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.AWAITING_MARKING
    assert attempt.passed is None
    assert attempt.score is None

    pending = list(marking_queue())
    assert [a.attempt_id for a in pending] == [attempt.pk]
    marker = f.educator()
    with pytest.raises(ValidationError, match="from 0 to 3"):
        services.quiz_answer_mark(answer=pending[0], marker=marker, points=4)
    with pytest.raises(PermissionDenied):
        services.quiz_answer_mark(answer=pending[0], marker=UserFactory(), points=2)
    with pytest.raises(PermissionDenied):
        services.quiz_answer_mark(answer=pending[0], marker=trainee, points=3)

    services.quiz_answer_mark(answer=pending[0], marker=marker, points=2, feedback="Good start.")
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.MARKED
    assert attempt.score == Decimal(3)
    assert attempt.percent == Decimal(75)
    assert attempt.passed is True
    answer = QuizAnswer.objects.get(pk=pending[0].pk)
    assert answer.marked_by == marker
    assert answer.marker_feedback == "Good start."
    assert not marking_queue().exists()
    with pytest.raises(ValidationError, match="already been marked"):
        services.quiz_answer_mark(answer=answer, marker=marker, points=3)


def test_marking_the_last_answer_emails_the_trainee(
    page, policy, trainee, django_capture_on_commit_callbacks
):
    quiz = f.quiz_of(f.free_text(points=2), pass_mark=50)
    attempt = _start(quiz, trainee, page)
    services.quiz_attempt_submit(
        user=trainee, token=attempt.token, answers=f.correct_answers(attempt)
    )
    answer = marking_queue().get()
    with django_capture_on_commit_callbacks(execute=True):
        services.quiz_answer_mark(answer=answer, marker=f.educator(), points=0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [trainee.email]
    assert "Foundations check" in message.subject
    assert "did not reach the pass mark of 50%" in message.body
    assert f"/assessments/quiz-attempts/{attempt.token}/result/" in message.body


def test_marking_queue_is_oldest_first(page, policy):
    quiz = f.quiz_of(f.free_text())
    people = [UserFactory() for _ in range(3)]
    start = timezone.now()
    for offset, person in zip((30, 10, 20), people, strict=True):
        with time_machine.travel(start + datetime.timedelta(minutes=offset), tick=False):
            attempt = _start(quiz, person, page)
            services.quiz_attempt_submit(
                user=person, token=attempt.token, answers=f.correct_answers(attempt)
            )
    assert [a.attempt.user for a in marking_queue()] == [people[1], people[2], people[0]]


# On a pass: evidence and the signal.


def _competency(level_count: int = 3):
    try:
        from tests.competencies.factories import CompetencyFactory
    except ImportError:  # pragma: no cover - the factories come with the competencies tests
        pytest.skip("competency factories are not available")
    return CompetencyFactory()


def test_a_pass_records_evidence_once_for_the_mapped_competencies(page, policy, trainee):
    first, second = _competency(), _competency()
    quiz = f.quiz_of(
        f.single_choice(competencies=[(first, 2)]),
        f.true_false(competencies=[(first, 1), (second, 3)]),
        pass_mark=100,
    )
    attempt = _start(quiz, trainee, page)
    services.quiz_attempt_submit(
        user=trainee, token=attempt.token, answers=f.wrong_answers(attempt)
    )
    assert not Evidence.objects.exists()

    attempt = _start(quiz, trainee, page)
    services.quiz_attempt_submit(
        user=trainee, token=attempt.token, answers=f.correct_answers(attempt)
    )
    evidence = {e.competency_id: e for e in Evidence.objects.filter(user=trainee)}
    assert set(evidence) == {first.pk, second.pk}
    assert evidence[first.pk].level == 2
    assert evidence[second.pk].level == 3
    assert {e.kind for e in evidence.values()} == {Evidence.Kind.QUIZ}
    assert evidence[first.pk].title == "Passed the quiz “Foundations check” with 100%"

    # Passing again does not count twice.
    attempt = _start(quiz, trainee, page)
    services.quiz_attempt_submit(
        user=trainee, token=attempt.token, answers=f.correct_answers(attempt)
    )
    assert Evidence.objects.filter(user=trainee).count() == 2


def test_a_pass_sends_activity_passed_on_commit(
    page, policy, trainee, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    activity_passed.connect(receiver)
    try:
        quiz = f.quiz_of(f.single_choice())
        attempt = _start(quiz, trainee, page)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.quiz_attempt_submit(
                user=trainee, token=attempt.token, answers=f.wrong_answers(attempt)
            )
        assert callbacks == []
        assert received == []

        attempt = _start(quiz, trainee, page)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.quiz_attempt_submit(
                user=trainee, token=attempt.token, answers=f.correct_answers(attempt)
            )
        assert received == []  # not before the commit
        for callback in callbacks:
            callback()
    finally:
        activity_passed.disconnect(receiver)
    assert len(received) == 1
    assert received[0]["user"] == trainee
    assert received[0]["activity_type"] == "quiz"
    assert received[0]["activity_id"] == quiz.pk
    assert received[0]["page_ids"] == [page.pk]


def test_a_pass_on_marking_sends_the_signal_too(
    page, policy, trainee, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    activity_passed.connect(receiver)
    try:
        quiz = f.quiz_of(f.free_text(points=1), pass_mark=100)
        attempt = _start(quiz, trainee, page)
        with django_capture_on_commit_callbacks(execute=True):
            services.quiz_attempt_submit(
                user=trainee, token=attempt.token, answers=f.correct_answers(attempt)
            )
        assert received == []
        with django_capture_on_commit_callbacks(execute=True):
            services.quiz_answer_mark(answer=marking_queue().get(), marker=f.educator(), points=1)
    finally:
        activity_passed.disconnect(receiver)
    assert [r["activity_id"] for r in received] == [quiz.pk]


# Selectors.


def test_quiz_ids_passed_in_one_query(page, policy, trainee, django_assert_num_queries):
    passed = f.quiz_of(f.single_choice(), title="Passed")
    failed = f.quiz_of(f.single_choice(), title="Failed")
    untried = f.quiz_of(f.single_choice(), title="Untried")
    for quiz, answers in ((passed, f.correct_answers), (failed, f.wrong_answers)):
        attempt = _start(quiz, trainee, page)
        services.quiz_attempt_submit(user=trainee, token=attempt.token, answers=answers(attempt))
    with django_assert_num_queries(1):
        result = quiz_ids_passed(user=trainee, quiz_ids=[passed.pk, failed.pk, untried.pk])
    assert result == {passed.pk}
    assert quiz_ids_passed(user=UserFactory(), quiz_ids=[passed.pk]) == set()


def test_deleting_an_option_does_not_change_stored_results(page, policy, trainee):
    question = f.single_choice()
    quiz = f.quiz_of(question)
    attempt = _start(quiz, trainee, page)
    services.quiz_attempt_submit(
        user=trainee, token=attempt.token, answers=f.correct_answers(attempt)
    )
    QuestionOption.objects.filter(question=question, is_correct=True).delete()
    attempt.refresh_from_db()
    assert attempt.score == 1
    assert attempt.passed is True


def test_a_question_deleted_while_an_attempt_is_open_is_left_out(page, policy, trainee):
    kept, dropped = f.single_choice(), f.single_choice()
    quiz = f.quiz_of(kept, dropped)
    attempt = _start(quiz, trainee, page)
    answers = f.correct_answers(attempt)
    quiz.quiz_questions.filter(question=dropped).delete()
    dropped.delete()
    services.quiz_attempt_submit(user=trainee, token=attempt.token, answers=answers)
    attempt.refresh_from_db()
    assert attempt.max_score == 1
    assert attempt.percent == 100
    assert list(attempt.answers.values_list("question_id", flat=True)) == [kept.pk]


def test_a_quiz_starts_only_from_a_page_it_is_placed_on(policy, trainee):
    quiz = f.quiz_of(f.single_choice())
    elsewhere = f.lesson_page("Another lesson", place_quizzes=False)
    with pytest.raises(PermissionDenied, match="Open it from its lesson"):
        services.quiz_attempt_start(user=trainee, quiz=quiz, page_id=elsewhere.pk)
    assert not QuizAttempt.objects.exists()
