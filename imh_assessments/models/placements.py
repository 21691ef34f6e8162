"""Where activities sit: which page embeds which quiz, H5P activity or reliability test, and
whether it is required.

Kept in step with page bodies on publish (``imh_assessments.services.placements``), so "what must
this trainee still pass in these lessons?" is one indexed query instead of parsing
StreamFields.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ActivityPlacement(models.Model):
    class Type(models.TextChoices):
        QUIZ = "quiz", _("Quiz")
        H5P = "h5p", _("H5P activity")
        RELIABILITY = "reliability", _("Reliability test")

    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="activity_placements"
    )
    activity_type = models.CharField(max_length=20, choices=Type.choices)
    activity_id = models.BigIntegerField()
    required = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["page", "activity_type", "activity_id"],
                name="assessments_placement_unique",
            ),
            models.CheckConstraint(
                condition=Q(activity_type__in=["quiz", "h5p", "reliability"]),
                name="assessments_placement_type_valid",
            ),
        ]
        indexes = [models.Index(fields=["activity_type", "activity_id"])]

    def __str__(self) -> str:
        return f"{self.activity_type} {self.activity_id} on page {self.page_id}"
