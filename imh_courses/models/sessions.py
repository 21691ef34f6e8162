"""Live sessions (the blended part of a course) and trainees' bookings for them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from imh_competencies.models import Competency, MappingBase
from imh_core.formatting import datetime_text
from imh_courses.validators import (
    CONTROL_CHARACTERS,
    ONE_LINE_TITLE_MESSAGE,
    validate_one_line_title,
)


class LiveSession(ClusterableModel):
    """One workshop, webinar, observed practice or group supervision on a date.

    Clusterable so its competency mappings are edited inline on the session's admin form.
    """

    class Kind(models.TextChoices):
        WORKSHOP = "workshop", _("Workshop")
        WEBINAR = "webinar", _("Webinar")
        OBSERVED_PRACTICE = "observed_practice", _("Observed practice")
        GROUP_SUPERVISION = "group_supervision", _("Group supervision")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    course = models.ForeignKey(
        "imh_courses.CoursePage", on_delete=models.CASCADE, related_name="live_sessions"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.WORKSHOP)
    # One line: it is the subject of every email about the session.
    title = models.CharField(max_length=200, validators=[validate_one_line_title])
    description = models.TextField(max_length=2000, blank=True)
    starts_at = models.DateTimeField(help_text=_("UK time (Europe/London)."))
    ends_at = models.DateTimeField(help_text=_("UK time (Europe/London)."))
    venue = models.TextField(
        max_length=500, blank=True, help_text=_("Address and room, for sessions in person.")
    )
    joining_url = models.URLField(
        _("online joining link"),
        blank=True,
        help_text=_("Teams, Zoom or similar. Shown only to trainees with a confirmed place."),
    )
    capacity = models.PositiveIntegerField(default=20)
    booking_opens_at = models.DateTimeField(null=True, blank=True)
    booking_closes_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Leave empty to allow booking until it starts.")
    )
    cancellation_cutoff_hours = models.PositiveIntegerField(
        default=48,
        help_text=_("Trainees cannot cancel within this many hours of the start."),
    )
    requires_manager_approval = models.BooleanField(
        default=False,
        help_text=_("A manager in the trainee's organisation must approve each booking."),
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facilitated_sessions",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="courses_session_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))
            ),
            models.CheckConstraint(name="courses_session_capacity", condition=Q(capacity__gte=1)),
            models.CheckConstraint(
                name="courses_session_title_one_line",
                condition=~Q(title__regex=CONTROL_CHARACTERS),
                violation_error_message=ONE_LINE_TITLE_MESSAGE,
            ),
            models.CheckConstraint(
                name="courses_session_has_place",
                condition=~Q(venue="") | ~Q(joining_url=""),
                violation_error_message=_("Give a venue, an online joining link, or both."),
            ),
        ]
        indexes = [models.Index(fields=["course", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.title} ({datetime_text(self.starts_at, 'j M Y')})"

    def clean(self) -> None:
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The session must end after it starts.")
        if not self.venue.strip() and not self.joining_url:
            errors["venue"] = _("Give a venue, an online joining link, or both.")
        if (
            self.booking_opens_at
            and self.booking_closes_at
            and self.booking_closes_at <= self.booking_opens_at
        ):
            errors["booking_closes_at"] = _("Booking must close after it opens.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_online(self) -> bool:
        return bool(self.joining_url) and not self.venue.strip()


class LiveSessionCompetency(Orderable, MappingBase):
    """A live session mapped to a competency at a level; attending it counts as evidence."""

    session = ParentalKey(LiveSession, on_delete=models.CASCADE, related_name="competency_mappings")
    competency = models.ForeignKey(
        Competency, on_delete=models.CASCADE, related_name="session_mappings"
    )

    class Meta(Orderable.Meta):
        verbose_name = _("competency mapping")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "competency"], name="courses_session_competency_unique"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1), name="courses_session_competency_level_min"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competency} at level {self.level}"


class Booking(models.Model):
    """A trainee's place (or place in the queue) at a live session, and their attendance."""

    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting manager approval")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")
        DECLINED = "declined", _("Declined by manager")

    class Attendance(models.TextChoices):
        ATTENDED = "attended", _("Attended")
        PARTIAL = "partial", _("Partially attended")
        NO_SHOW = "no_show", _("Did not attend")

    CURRENT_STATUSES = (Status.AWAITING_APPROVAL, Status.CONFIRMED, Status.WAITLISTED)

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="bookings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_bookings"
    )
    status = models.CharField(max_length=30, choices=Status.choices)
    attendance = models.CharField(max_length=20, choices=Attendance.choices, blank=True)
    attendance_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attendance_marked_at = models.DateTimeField(null=True, blank=True)
    approval_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=Q(status__in=["awaiting_approval", "confirmed", "waitlisted"]),
                name="courses_booking_one_current_per_person",
                violation_error_message=_("You already have a place or a place in the queue."),
            ),
            models.CheckConstraint(
                name="courses_booking_attendance_needs_place",
                condition=Q(attendance="") | Q(status="confirmed"),
                violation_error_message=_("Attendance is marked only for confirmed places."),
            ),
        ]
        indexes = [models.Index(fields=["session", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user} - {self.session} ({self.get_status_display()})"
