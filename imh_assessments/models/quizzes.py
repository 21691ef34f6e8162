"""Quizzes: the question bank, quizzes built from it, attempts and answers.

An attempt keeps the order in which its questions and options were shown, so the trainee's
result page shows what they saw even when the quiz is shuffled or edited later. Once
submitted, an attempt and its answers change only through marking of free-text answers
(``imh_assessments.services.quizzes``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.fields import RichTextField
from wagtail.models import Orderable

from imh_competencies.models import Competency, MappingBase

__all__ = [
    "Question",
    "QuestionCompetency",
    "QuestionOption",
    "Quiz",
    "QuizAnswer",
    "QuizAttempt",
    "QuizQuestion",
]

_TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link"]


class Question(ClusterableModel):
    """One question in the bank; quizzes reuse questions."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple response")
        TRUE_FALSE = "true_false", _("True or false")
        FREE_TEXT = "free_text", _("Short free text (marked by an educator)")

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SINGLE)
    text = RichTextField(features=_TEXT_FEATURES, help_text=_("The question as trainees see it."))
    category = models.CharField(
        max_length=120, blank=True, help_text=_("Optional, to find questions in the bank.")
    )
    points = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    true_false_answer = models.BooleanField(
        null=True,
        blank=True,
        verbose_name=_("The statement is true"),
        help_text=_(
            "True or false questions only: tick if the statement is true. The options "
            "“True” and “False” are created for you."
        ),
    )
    general_feedback = RichTextField(
        blank=True,
        features=_TEXT_FEATURES,
        help_text=_("Shown to the trainee with their result, whatever they answered."),
    )
    model_answer = models.TextField(
        blank=True, help_text=_("Free-text questions: a good answer, shown to markers.")
    )
    marking_guidance = models.TextField(
        blank=True, help_text=_("Free-text questions: what markers should look for.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["single", "multiple", "true_false", "free_text"]),
                name="assessments_question_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(points__gte=1), name="assessments_question_points_min"
            ),
        ]

    def __str__(self) -> str:
        label = Truncator(strip_tags(self.text)).chars(80)
        return f"{label} [{self.category}]" if self.category else label

    @property
    def has_options(self) -> bool:
        return self.kind != self.Kind.FREE_TEXT


class QuestionOption(Orderable):
    """A possible answer to a choice question, with feedback for those who pick it."""

    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField(default=False)
    feedback = models.TextField(
        blank=True, help_text=_("Shown with the result to trainees who chose this option.")
    )

    class Meta(Orderable.Meta):
        verbose_name = _("option")

    def __str__(self) -> str:
        return self.text


class QuestionCompetency(Orderable, MappingBase):
    """A question maps to a competency at a level; passing a quiz counts as evidence for it."""

    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="competency_mappings")
    competency = models.ForeignKey(
        Competency, on_delete=models.CASCADE, related_name="question_mappings"
    )

    class Meta(Orderable.Meta):
        verbose_name = _("competency mapping")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "competency"], name="assessments_question_competency_unique"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1), name="assessments_question_competency_level_min"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competency} at level {self.level}"


class Quiz(ClusterableModel):
    """A set of questions from the bank, with its pass mark, attempt limit and time limit."""

    title = models.CharField(max_length=255)
    introduction = RichTextField(blank=True, features=_TEXT_FEATURES)
    pass_mark = models.PositiveSmallIntegerField(
        default=80,
        validators=[MaxValueValidator(100)],
        help_text=_("The percentage needed to pass, from 0 to 100."),
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        default=0, help_text=_("How many attempts each trainee may make; 0 means no limit.")
    )
    shuffle_questions = models.BooleanField(
        default=False, help_text=_("Show the questions in a different order in each attempt.")
    )
    shuffle_options = models.BooleanField(
        default=False, help_text=_("Show the options of choice questions in a different order.")
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for no time limit."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = _("quizzes")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark__gte=0) & Q(pass_mark__lte=100),
                name="assessments_quiz_pass_mark_range",
            ),
            models.CheckConstraint(
                condition=Q(time_limit_minutes__isnull=True) | Q(time_limit_minutes__gte=1),
                name="assessments_quiz_time_limit_min",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class QuizQuestion(Orderable):
    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="quiz_questions")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="quiz_uses")

    class Meta(Orderable.Meta):
        verbose_name = _("question")
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "question"], name="assessments_quiz_question_unique"
            )
        ]

    def __str__(self) -> str:
        return str(self.question)


class QuizAttempt(models.Model):
    """One go at a quiz by one person. ``token`` is the idempotency key of its submission."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        AWAITING_MARKING = "awaiting_marking", _("Submitted, awaiting marking")
        MARKED = "marked", _("Marked")
        EXPIRED = "expired", _("Time ran out")

    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    number = models.PositiveSmallIntegerField()
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    question_order = models.JSONField(
        default=list, help_text=_("Question ids in the order this attempt showed them.")
    )
    option_order = models.JSONField(
        default=dict, help_text=_("For each question id, its option ids in the order shown.")
    )
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    max_score = models.PositiveIntegerField(default=0)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The lesson the quiz was taken on."),
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "user", "number"], name="assessments_quiz_attempt_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="assessments_quiz_attempt_number_min"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["in_progress", "awaiting_marking", "marked", "expired"]),
                name="assessments_quiz_attempt_status_valid",
            ),
            # Submitted exactly when no longer in progress.
            models.CheckConstraint(
                condition=(Q(status="in_progress") & Q(submitted_at__isnull=True))
                | (~Q(status="in_progress") & Q(submitted_at__isnull=False)),
                name="assessments_quiz_attempt_submitted_status",
            ),
            # A final result exactly when marked (or expired, scored 0).
            models.CheckConstraint(
                condition=(
                    Q(status__in=["marked", "expired"])
                    & Q(score__isnull=False)
                    & Q(percent__isnull=False)
                    & Q(passed__isnull=False)
                )
                | (
                    Q(status__in=["in_progress", "awaiting_marking"])
                    & Q(score__isnull=True)
                    & Q(percent__isnull=True)
                    & Q(passed__isnull=True)
                ),
                name="assessments_quiz_attempt_result_when_final",
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | (Q(percent__gte=0) & Q(percent__lte=100)),
                name="assessments_quiz_attempt_percent_range",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "quiz", "passed"]),
            models.Index(fields=["status", "submitted_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.quiz}, attempt {self.number} by {self.user}"

    @property
    def is_final(self) -> bool:
        return self.status in (self.Status.MARKED, self.Status.EXPIRED)


class QuizAnswer(models.Model):
    """What was answered to one question in one attempt, and the points it earned."""

    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    selected_option_ids = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)
    max_points = models.PositiveSmallIntegerField()
    awarded_points = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    marker_feedback = models.TextField(blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    marked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["attempt", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question"], name="assessments_quiz_answer_unique"
            ),
            models.CheckConstraint(
                condition=Q(awarded_points__isnull=True)
                | (Q(awarded_points__gte=0) & Q(awarded_points__lte=models.F("max_points"))),
                name="assessments_quiz_answer_points_range",
            ),
            models.CheckConstraint(
                condition=Q(marked_at__isnull=True) | Q(awarded_points__isnull=False),
                name="assessments_quiz_answer_marked_has_points",
            ),
        ]
        permissions = [("mark_quizanswer", "Can mark quiz answers")]

    def __str__(self) -> str:
        return f"Answer to {self.question} in {self.attempt}"

    @property
    def awaiting_marking(self) -> bool:
        return self.awarded_points is None
