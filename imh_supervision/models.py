"""Reflective supervision: who supervises whom, the sessions they hold and who confirmed them.

A session's reflective content (``notes`` and each participant's ``reflection`` and dispute
``reason``) belongs to the people in the room: the supervisor and that session's supervisees.
Managers, administrators' lists and other apps only ever see dates, durations, kinds and
whether a session was confirmed; the selectors other apps call never read those fields.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from imh_core.people import person_name

DURATION_MIN_MINUTES = 15
DURATION_MAX_MINUTES = 480


class Theme(models.TextChoices):
    """Common themes of reflective supervision in infant mental health work.

    A fixed list keeps hours comparable across a team; ``themes_other`` holds anything else.
    """

    PARENT_INFANT_RELATIONSHIP = "relationship", _("Parent and infant relationship")
    SAFEGUARDING = "safeguarding", _("Safeguarding")
    OBSERVATION = "observation", _("Observation and assessment")
    PARENTAL_MENTAL_HEALTH = "parental_mental_health", _("Parental mental health")
    TRAUMA = "trauma", _("Trauma and adversity")
    EMOTIONAL_IMPACT = "emotional_impact", _("Emotional impact of the work")
    CASE_REVIEW = "case_review", _("Case discussion")
    PARTNERSHIP = "partnership", _("Working with other services")
    PROFESSIONAL_DEVELOPMENT = "development", _("Professional development")


class SupervisionPair(models.Model):
    """A supervisor and a supervisee within one organisation, for a period."""

    organisation = models.ForeignKey(
        "imh_organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="supervision_pairs",
        verbose_name=_("organisation"),
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="supervision_pairs_as_supervisor",
        verbose_name=_("supervisor"),
    )
    supervisee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="supervision_pairs_as_supervisee",
        verbose_name=_("supervisee"),
    )
    starts_on = models.DateField(_("start date"), default=timezone.localdate)
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-is_active", "-starts_on", "-pk"]
        verbose_name = _("supervision pair")
        verbose_name_plural = _("supervision pairs")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "supervisor", "supervisee"],
                condition=Q(is_active=True),
                name="supervision_pair_one_active",
                violation_error_message=_("This supervisor and supervisee are already paired."),
            ),
            models.CheckConstraint(
                condition=~Q(supervisor=F("supervisee")),
                name="supervision_pair_not_self",
                violation_error_message=_("A person cannot supervise themself."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="supervision_pair_ends_after_start",
                violation_error_message=_("The end date must be on or after the start date."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(supervisor)s supervises %(supervisee)s") % {
            "supervisor": person_name(self.supervisor),
            "supervisee": person_name(self.supervisee),
        }

    def clean(self) -> None:
        """Both people must be active members of the organisation; the supervisor named one."""
        from imh_organisations.models import Membership

        errors = {}
        if (
            self.is_active
            and self.organisation_id
            and self.supervisor_id
            and not Membership.objects.filter(
                organisation_id=self.organisation_id,
                user_id=self.supervisor_id,
                status=Membership.Status.ACTIVE,
                is_supervisor=True,
            ).exists()
        ):
            errors["supervisor"] = gettext(
                "Choose an active member of the organisation who is named as a supervisor."
            )
        if self.organisation_id and self.supervisee_id:
            if self.supervisee_id == self.supervisor_id:
                errors["supervisee"] = gettext("A person cannot supervise themself.")
            elif (
                self.is_active
                and not Membership.objects.filter(
                    organisation_id=self.organisation_id,
                    user_id=self.supervisee_id,
                    status=Membership.Status.ACTIVE,
                ).exists()
            ):
                errors["supervisee"] = gettext("Choose an active member of the organisation.")
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = gettext("The end date must be on or after the start date.")
        if errors:
            raise ValidationError(errors)


class SupervisionSession(models.Model):
    """One supervision session: one-to-one (one supervisee) or group (several)."""

    class Kind(models.TextChoices):
        ONE_TO_ONE = "one_to_one", _("One-to-one")
        GROUP = "group", _("Group")

    organisation = models.ForeignKey(
        "imh_organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="supervision_sessions",
        verbose_name=_("organisation"),
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="supervision_sessions_led",
        verbose_name=_("supervisor"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    held_on = models.DateField(_("date"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration in minutes"))
    themes = models.JSONField(_("themes"), default=list, blank=True)
    themes_other = models.CharField(_("other themes"), max_length=200, blank=True)
    competencies = models.ManyToManyField(
        "imh_competencies.Competency",
        blank=True,
        related_name="+",
        verbose_name=_("competencies"),
    )
    # Reflective content: only the supervisor and this session's supervisees may read it.
    notes = models.TextField(_("reflective notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set when every participant has confirmed; cleared when the session is edited.
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("supervision session")
        verbose_name_plural = _("supervision sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=DURATION_MIN_MINUTES)
                & Q(duration_minutes__lte=DURATION_MAX_MINUTES),
                name="supervision_session_duration_range",
                violation_error_message=_(
                    "Enter a duration between 15 minutes and 8 hours (480 minutes)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["one_to_one", "group"]),
                name="supervision_session_kind_valid",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "held_on"])]

    def __str__(self) -> str:
        return gettext("%(kind)s supervision on %(date)s") % {
            "kind": self.get_kind_display(),
            "date": date_format(self.held_on),
        }

    @property
    def hours(self) -> Decimal:
        return minutes_to_hours(self.duration_minutes)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    def theme_labels(self) -> list[str]:
        labels = [str(Theme(code).label) for code in self.themes if code in Theme.values]
        if self.themes_other:
            labels.append(self.themes_other)
        return labels


class Participant(models.Model):
    """A person in a session and their answer: confirmed, disputed or not yet."""

    class Role(models.TextChoices):
        SUPERVISOR = "supervisor", _("Supervisor")
        SUPERVISEE = "supervisee", _("Supervisee")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        DISPUTED = "disputed", _("Disputed")

    session = models.ForeignKey(
        SupervisionSession, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="supervision_participations",
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    responded_at = models.DateTimeField(null=True, blank=True)
    # Reflective content, private to the session's participants.
    reason = models.TextField(_("reason for disputing"), blank=True)
    reflection = models.TextField(_("my reflection"), blank=True)

    class Meta:
        ordering = ["role", "pk"]
        verbose_name = _("session participant")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"], name="supervision_participant_once"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["supervisor", "supervisee"]),
                name="supervision_participant_role_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "confirmed", "disputed"]),
                name="supervision_participant_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="disputed") | ~Q(reason=""),
                name="supervision_participant_dispute_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return person_name(self.user)


def minutes_to_hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
