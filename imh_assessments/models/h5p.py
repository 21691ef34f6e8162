"""H5P packages as activities, and the libraries they share.

An educator uploads one ``.h5p`` file per activity. Its content is extracted under
``h5p/content/<activity uuid>/`` (``content_path``; a replaced package gets a fresh folder,
``h5p/content/<activity uuid>-<token>/``); each library version is stored once under
``h5p/libraries/<Machine.Name-MAJOR.MINOR>/`` and shared by every activity that uses it.
Files are written and removed only by ``imh_assessments.services.h5p`` (layout:
``imh_assessments.h5p.storage``).
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from imh_competencies.models import Competency, MappingBase

MARK_RANGE_MESSAGE = _("Enter the pass mark as a whole number from 0 to 100.")


class H5PLibrary(models.Model):
    machine_name = models.CharField(max_length=127)
    major_version = models.PositiveIntegerField()
    minor_version = models.PositiveIntegerField()
    patch_version = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=255, blank=True)
    runnable = models.BooleanField(default=False)
    library_json = models.JSONField(default=dict)
    storage_path = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("H5P library")
        verbose_name_plural = _("H5P libraries")
        ordering = ["machine_name", "major_version", "minor_version"]
        constraints = [
            models.UniqueConstraint(
                fields=["machine_name", "major_version", "minor_version"],
                name="assessments_h5plibrary_unique",
            )
        ]

    def __str__(self) -> str:
        return self.folder_name

    @property
    def folder_name(self) -> str:
        return f"{self.machine_name}-{self.major_version}.{self.minor_version}"


class H5PActivity(ClusterableModel):
    class ScoringPolicy(models.TextChoices):
        BEST = "best", _("Best attempt")
        LAST = "last", _("Last attempt")
        FIRST = "first", _("First attempt")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=255)
    package = models.FileField(
        upload_to="h5p/packages/",
        help_text=_("An .h5p file exported from H5P.org, Lumi, Moodle or WordPress."),
    )
    package_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    package_size = models.PositiveBigIntegerField(default=0, editable=False)
    content_path = models.CharField(
        max_length=255, blank=True, editable=False, help_text=_("Extracted content folder.")
    )
    h5p_json = models.JSONField(default=dict, blank=True, editable=False)
    main_library = models.ForeignKey(
        H5PLibrary,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    libraries = models.ManyToManyField(H5PLibrary, related_name="activities", blank=True)
    scoring_policy = models.CharField(
        max_length=10, choices=ScoringPolicy.choices, default=ScoringPolicy.BEST
    )
    # A whole-number percentage, as a quiz's pass mark: editors and trainees see one kind of
    # number for both. xAPI scores are scaled (0 to 1) and are compared with pass_mark / 100.
    pass_mark = models.PositiveSmallIntegerField(
        default=100,
        validators=[
            MinValueValidator(0, MARK_RANGE_MESSAGE),
            MaxValueValidator(100, MARK_RANGE_MESSAGE),
        ],
        help_text=_("The percentage of the activity's score needed to pass, from 0 to 100."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("H5P activity")
        verbose_name_plural = _("H5P activities")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark__gte=0) & Q(pass_mark__lte=100),
                name="assessments_h5pactivity_pass_mark_range",
            ),
            models.CheckConstraint(
                condition=Q(scoring_policy__in=["best", "last", "first"]),
                name="assessments_h5pactivity_policy_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class H5PActivityCompetency(Orderable, MappingBase):
    activity = ParentalKey(
        H5PActivity, on_delete=models.CASCADE, related_name="competency_mappings"
    )
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="+")

    class Meta(Orderable.Meta):
        verbose_name = _("competency mapping")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "competency"], name="assessments_h5p_competency_unique"
            ),
        ]
