"""Learning records: enrolments, lesson progress, completions and private reflections."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Enrolment(models.Model):
    """One attempt at a course by one person. A renewal is a new enrolment; old ones stay."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("In progress")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Source(models.TextChoices):
        SELF = "self", _("Self-enrolled")
        ASSIGNED = "assigned", _("Assigned")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    course = models.ForeignKey(
        "imh_courses.CoursePage", on_delete=models.PROTECT, related_name="enrolments"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.SELF)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_on = models.DateField(null=True, blank=True)
    enrolled_at = models.DateTimeField()
    last_lesson = models.ForeignKey(
        "imh_courses.LessonPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Where the trainee left off."),
    )
    last_activity_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Counts the person's attempts at this course: 1, then 2 for the first renewal...
    cycle = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["-enrolled_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"],
                condition=Q(status="active"),
                name="courses_enrolment_one_open_per_course",
                violation_error_message=_("You are already enrolled on this course."),
            ),
            models.UniqueConstraint(
                fields=["user", "course", "cycle"], name="courses_enrolment_cycle_unique"
            ),
            models.CheckConstraint(
                name="courses_enrolment_completed_has_date",
                condition=Q(status="completed", completed_at__isnull=False)
                | (~Q(status="completed") & Q(completed_at__isnull=True)),
            ),
        ]
        indexes = [models.Index(fields=["course", "status"])]

    def __str__(self) -> str:
        return f"{self.user} on {self.course} ({self.get_status_display()})"


class LessonProgress(models.Model):
    """A lesson completed within one enrolment."""

    class Method(models.TextChoices):
        MANUAL = "manual", _("Marked as complete")
        ACTIVITIES = "activities", _("Required activities passed")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey("imh_courses.LessonPage", on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField()
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.MANUAL)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "lesson"], name="courses_lesson_completed_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment.user} completed {self.lesson}"


class CourseCompletion(models.Model):
    """The record that an enrolment met the course's completion rule: exactly one each.

    It carries what the certificate will state, fixed at the moment of completion, so
    later edits to the course change nothing already achieved.
    """

    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="completion")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_completions"
    )
    course = models.ForeignKey(
        "imh_courses.CoursePage", on_delete=models.PROTECT, related_name="completions"
    )
    completed_at = models.DateTimeField()
    expires_on = models.DateField(null=True, blank=True)
    course_title = models.CharField(max_length=255)
    cpd_hours = models.DecimalField(max_digits=5, decimal_places=1)
    imh_level = models.PositiveSmallIntegerField()
    sessions_attended = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_at"]
        indexes = [models.Index(fields=["user", "course", "-completed_at"])]

    def __str__(self) -> str:
        return f"{self.course_title} completed {self.completed_at:%Y-%m-%d}"


class Reflection(models.Model):
    """A trainee's private answer to a reflection prompt in a lesson."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflections"
    )
    lesson = models.ForeignKey(
        "imh_courses.LessonPage", on_delete=models.CASCADE, related_name="reflections"
    )
    block_id = models.CharField(max_length=64, help_text=_("The reflection block's id."))
    prompt = models.TextField(help_text=_("The prompt as it stood when last answered."))
    text = models.TextField(max_length=10000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lesson", "block_id"], name="courses_reflection_once_per_prompt"
            ),
        ]

    def __str__(self) -> str:
        return f"Reflection by {self.user} on {self.lesson}"
