"""Factories for quizzes: questions of each kind, quizzes, a lesson page to take them on, and
an attempt policy that lets the tests' pages be attempted."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth.models import Group
from wagtail import hooks
from wagtail.models import Page

from imh_assessments.models import ActivityPlacement, Question, Quiz
from imh_assessments.services import quizzes as services
from imh_core.hooks import IMH_ATTEMPT_POLICIES
from tests.factories import UserFactory


def single_choice(*, points: int = 1, text: str = "Which age is infancy?", **fields) -> Question:
    return services.question_create(
        kind=Question.Kind.SINGLE,
        text=f"<p>{text}</p>",
        points=points,
        options=[
            ("Birth to two years", True, "Yes: the first two years."),
            ("Five to ten years", False, "No: that is middle childhood."),
            ("Teenage years", False, ""),
        ],
        **fields,
    )


def multiple_response(*, points: int = 2, **fields) -> Question:
    return services.question_create(
        kind=Question.Kind.MULTIPLE,
        text="<p>Which are a baby's cues for engagement?</p>",
        points=points,
        options=[
            ("Eye contact", True, ""),
            ("Smiling", True, ""),
            ("Turning away", False, "Turning away is a cue for a break."),
            ("Arching the back", False, ""),
        ],
        **fields,
    )


def true_false(*, answer: bool = True, **fields) -> Question:
    return services.question_create(
        kind=Question.Kind.TRUE_FALSE,
        text="<p>Babies are born ready to relate to others.</p>",
        true_false_answer=answer,
        **fields,
    )


def free_text(*, points: int = 3, **fields) -> Question:
    return services.question_create(
        kind=Question.Kind.FREE_TEXT,
        text="<p>Describe serve and return in your own words.</p>",
        points=points,
        model_answer="The baby serves; the adult returns.",
        marking_guidance="Look for turn-taking.",
        **fields,
    )


_TEST_LESSON_PREFIX = "quiz-lesson-"


def _place(pages, quizzes) -> None:
    ActivityPlacement.objects.bulk_create(
        [
            ActivityPlacement(
                page=page, activity_type=ActivityPlacement.Type.QUIZ, activity_id=quiz.pk
            )
            for page in pages
            for quiz in quizzes
        ],
        ignore_conflicts=True,
    )


def quiz_of(*questions: Question, title: str = "Foundations check", **fields) -> Quiz:
    """A quiz of ``questions``, placed on every test lesson made by ``lesson_page``."""
    quiz = services.quiz_create(title=title, questions=questions, **fields)
    _place(Page.objects.filter(slug__startswith=_TEST_LESSON_PREFIX), [quiz])
    return quiz


def lesson_page(title: str = "Lesson on cues", *, place_quizzes: bool = True) -> Page:
    """A bare page holding every quiz made by ``quiz_of`` (before or after it), as a lesson
    with quiz blocks would once published."""
    root = Page.objects.get(depth=1)
    slug = f"{_TEST_LESSON_PREFIX}{Page.objects.count() + 1}"
    page = root.add_child(instance=Page(title=title, slug=slug))
    if place_quizzes:
        _place([page], Quiz.objects.all())
    return page


def educator():
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Educators"))
    return user


def correct_answers(attempt) -> dict[int, list[int] | str]:
    """Every question answered right (free text gets some words)."""
    answers: dict[int, list[int] | str] = {}
    for question in Question.objects.filter(pk__in=attempt.question_order):
        if question.kind == Question.Kind.FREE_TEXT:
            answers[question.pk] = "Turn-taking between baby and adult."
        else:
            answers[question.pk] = list(
                question.options.filter(is_correct=True).values_list("pk", flat=True)
            )
    return answers


def wrong_answers(attempt) -> dict[int, list[int] | str]:
    answers: dict[int, list[int] | str] = {}
    for question in Question.objects.filter(pk__in=attempt.question_order):
        if question.kind == Question.Kind.FREE_TEXT:
            answers[question.pk] = "I do not know."
        else:
            answers[question.pk] = list(
                question.options.filter(is_correct=False).values_list("pk", flat=True)[:1]
            )
    return answers


@contextmanager
def attempt_policy(allowed: set[int] | None = None) -> Iterator[None]:
    """Let everyone attempt activities on ``allowed`` pages (every page when None)."""

    def policy(user, page_ids):
        return {page_id for page_id in page_ids if allowed is None or page_id in allowed}

    with hooks.register_temporarily(IMH_ATTEMPT_POLICIES, policy):
        yield
