"""xAPI statements, per-activity results and resume state."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from imh_assessments.models.h5p import H5PActivity

__all__ = ["ActivityResult", "ActivityState", "XAPIStatement"]


class XAPIStatement(models.Model):
    """One xAPI statement as received, kept whole, stored once per statement id."""

    statement_id = models.UUIDField(unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="xapi_statements"
    )
    activity = models.ForeignKey(H5PActivity, on_delete=models.CASCADE, related_name="statements")
    verb = models.CharField(max_length=255)
    object_iri = models.CharField(max_length=500)
    # Statements about a part of the activity (a question inside a question set) are kept
    # but never change the activity's result.
    is_subcontent = models.BooleanField(default=False)
    score_scaled = models.FloatField(null=True, blank=True)
    score_raw = models.FloatField(null=True, blank=True)
    score_min = models.FloatField(null=True, blank=True)
    score_max = models.FloatField(null=True, blank=True)
    success = models.BooleanField(null=True, blank=True)
    completion = models.BooleanField(null=True, blank=True)
    raw = models.JSONField(help_text=_("The statement as stored, with the learner as actor."))
    # Hash of the statement as sent (actor normalised), to tell a replay from a conflict.
    body_sha256 = models.CharField(max_length=64)
    stored_at = models.DateTimeField()

    class Meta:
        verbose_name = _("xAPI statement")
        verbose_name_plural = _("xAPI statements")
        ordering = ["-stored_at"]
        indexes = [models.Index(fields=["user", "activity"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(score_scaled__isnull=True)
                | (Q(score_scaled__gte=-1) & Q(score_scaled__lte=1)),
                name="assessments_xapistatement_scaled_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.statement_id)


class ActivityResult(models.Model):
    """A learner's standing on one H5P activity, kept up to date from top-level statements."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_results"
    )
    activity = models.ForeignKey(H5PActivity, on_delete=models.CASCADE, related_name="results")
    attempts = models.PositiveIntegerField(default=0)
    first_score = models.FloatField(null=True, blank=True, help_text=_("Scaled, -1 to 1."))
    last_score = models.FloatField(null=True, blank=True, help_text=_("Scaled, -1 to 1."))
    best_score = models.FloatField(null=True, blank=True, help_text=_("Scaled, -1 to 1."))
    score = models.FloatField(
        null=True,
        blank=True,
        help_text=_("The score that counts, by the activity's scoring policy."),
    )
    completed = models.BooleanField(default=False)
    passed = models.BooleanField(default=False)
    passed_at = models.DateTimeField(null=True, blank=True)
    first_attempt_at = models.DateTimeField()
    last_attempt_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("H5P activity result")
        ordering = ["-last_attempt_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "activity"], name="assessments_activityresult_unique"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=-1) & Q(score__lte=1)),
                name="assessments_activityresult_score_range",
            ),
            models.CheckConstraint(
                condition=Q(passed=False) | Q(passed_at__isnull=False),
                name="assessments_activityresult_passed_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.activity}"


class ActivityState(models.Model):
    """Where a learner left an activity (the xAPI State resource), so they can resume."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_states"
    )
    activity = models.ForeignKey(H5PActivity, on_delete=models.CASCADE, related_name="states")
    state_id = models.CharField(max_length=255)
    document = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("H5P activity state")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "activity", "state_id"], name="assessments_activitystate_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.state_id} of {self.user} on {self.activity}"
