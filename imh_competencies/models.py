"""Frameworks > areas > competencies, crosswalks, page mappings and the evidence ledger.

A framework declares its own level scheme (``levels``: "Level 1".."Level 3", or Informed /
Skilled / Enhanced / Specialist). Levels are stored everywhere as their 1-based position in
that list, so a mapping, a rating or an evidence item says "level 2" whatever the labels.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from imh_core.storage import private_storage


def default_levels() -> list[str]:
    return ["Level 1", "Level 2", "Level 3"]


class Framework(models.Model):
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=50, blank=True)
    slug = models.SlugField(max_length=120, unique=True)
    publisher = models.CharField(max_length=200, blank=True)
    licence_note = models.TextField(
        blank=True, help_text=_("Who owns the framework and on what terms it may be used.")
    )
    description = models.TextField(blank=True)
    levels = models.JSONField(
        default=default_levels,
        help_text=_("The level scheme, lowest first, for example Level 1, Level 2, Level 3."),
    )
    taxonomies = models.JSONField(
        default=list,
        blank=True,
        help_text=_("What each depth of the hierarchy is called (Moodle's taxonomy), top first."),
    )
    is_sample = models.BooleanField(
        default=False,
        help_text=_("A sample written for demonstration, not an official framework."),
    )
    source_id = models.CharField(
        max_length=100, blank=True, help_text=_("The framework's id number where it came from.")
    )
    extra = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "version"], name="competencies_framework_unique"
            )
        ]

    def __str__(self) -> str:
        label = f"{self.name} {self.version}".strip()
        if self.is_sample and "sample" not in self.name.lower():
            label += gettext(" (sample)")
        return label

    def level_label(self, level: int) -> str:
        if 1 <= level <= len(self.levels):
            return self.levels[level - 1]
        return gettext("Level %(number)s") % {"number": level}

    @property
    def level_choices(self) -> list[tuple[int, str]]:
        return [(index, label) for index, label in enumerate(self.levels, start=1)]

    def clean(self) -> None:
        if (
            not isinstance(self.levels, list)
            or not self.levels
            or not all(isinstance(label, str) and label.strip() for label in self.levels)
        ):
            raise ValidationError({"levels": gettext("Give at least one level, each with a name.")})
        if len(set(self.levels)) != len(self.levels):
            raise ValidationError({"levels": gettext("Each level needs a different name.")})


class Area(models.Model):
    """A top-level grouping of competencies (an "area" of the AiMH UK framework)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(max_length=100)
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["framework", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="competencies_area_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Competency(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="competencies")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="competencies")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        help_text=_("Set for competencies nested below another competency."),
    )
    code = models.CharField(max_length=100)
    short_name = models.CharField(max_length=255)
    statement = models.TextField(blank=True)
    descriptors = models.JSONField(
        default=dict,
        blank=True,
        help_text=_('What the competency looks like at each level: {"1": "...", "2": "..."}.'),
    )
    sort_order = models.PositiveIntegerField(default=0)
    extra = models.JSONField(default=dict, blank=True)
    crosswalks = models.ManyToManyField(
        "self", through="Crosswalk", symmetrical=False, related_name="crosswalked_from", blank=True
    )

    class Meta:
        ordering = ["framework", "area__sort_order", "sort_order", "code"]
        verbose_name_plural = _("competencies")
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "code"], name="competencies_competency_unique"
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")), name="competencies_competency_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.short_name}"

    def descriptor(self, level: int) -> str:
        return self.descriptors.get(str(level), "")


class Crosswalk(models.Model):
    """ "This competency corresponds to that one" between frameworks (or within one)."""

    competency = models.ForeignKey(
        Competency, on_delete=models.CASCADE, related_name="crosswalk_links"
    )
    related = models.ForeignKey(
        Competency, on_delete=models.CASCADE, related_name="crosswalk_backlinks"
    )
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["competency", "related"], name="competencies_crosswalk_unique"
            ),
            models.CheckConstraint(
                condition=~Q(competency=F("related")), name="competencies_crosswalk_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competency} ↔ {self.related}"


class MappingBase(models.Model):
    """What every "this content develops that competency at this level" row holds.

    Other apps map their own content (quiz questions, H5P activities, live sessions) with a
    concrete subclass holding a key to their object.
    """

    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(default=1)

    class Meta:
        abstract = True

    def clean(self) -> None:
        competency = getattr(self, "competency", None)
        if competency is not None and not 1 <= (self.level or 0) <= len(
            competency.framework.levels
        ):
            raise ValidationError(
                {
                    "level": gettext("Choose a level from 1 to %(count)s.")
                    % {"count": len(competency.framework.levels)}
                }
            )


class PageCompetency(Orderable, MappingBase):
    """A page (course, module or lesson) mapped to a competency at a level."""

    page = ParentalKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="competency_mappings"
    )
    competency = models.ForeignKey(
        Competency, on_delete=models.CASCADE, related_name="page_mappings"
    )

    class Meta(Orderable.Meta):
        verbose_name = _("competency mapping")
        constraints = [
            models.UniqueConstraint(fields=["page", "competency"], name="competencies_page_unique"),
            models.CheckConstraint(condition=Q(level__gte=1), name="competencies_page_level_min"),
        ]

    def __str__(self) -> str:
        return gettext("%(competency)s at level %(level)s") % {
            "competency": self.competency,
            "level": self.level,
        }


class Evidence(models.Model):
    """One achievement counted against one competency for one person.

    Written only through ``imh_competencies.services.evidence_record``; a source (a quiz attempt,
    an H5P result, a booking, an observation...) records once per competency, so replays and
    re-evaluations never double count.
    """

    class Kind(models.TextChoices):
        QUIZ = "quiz", _("Quiz passed")
        H5P = "h5p", _("Interactive activity passed")
        ATTENDANCE = "attendance", _("Live session attended")
        OBSERVATION = "observation", _("Observation of practice")
        SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
        EXTERNAL = "external", _("External learning (verified)")
        COURSE = "course", _("Course completed")
        SUPERVISION = "supervision", _("Reflective supervision")
        RELIABILITY = "reliability", _("Observation-scale reliability")

    class Outcome(models.TextChoices):
        MET = "met", _("Met")
        NOT_YET = "not_yet", _("Not yet met")
        WORKING_TOWARDS = "working_towards", _("Working towards")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="competency_evidence"
    )
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="evidence")
    level = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.MET)
    occurred_on = models.DateField()
    title = models.CharField(
        max_length=255, help_text=_("What the evidence is, as the trainee sees it.")
    )
    detail = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True, help_text=_("Where the source can be seen."))
    source_type = models.CharField(
        max_length=60, help_text=_('What recorded it, "app_label.model" of the source.')
    )
    source_id = models.BigIntegerField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name_plural = _("evidence")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "competency", "source_type", "source_id"],
                name="competencies_evidence_once_per_source",
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1), name="competencies_evidence_level_min"
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "quiz",
                        "h5p",
                        "attendance",
                        "observation",
                        "self_assessment",
                        "external",
                        "course",
                        "supervision",
                        "reliability",
                    ]
                ),
                name="competencies_evidence_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["met", "not_yet", "working_towards"]),
                name="competencies_evidence_outcome_valid",
            ),
        ]
        indexes = [models.Index(fields=["user", "competency"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


# Sources of evidence recorded on this platform: observations of practice, self-assessment and
# external learning verified by an educator.


class Observation(models.Model):
    """An educator's or supervisor's observation of a trainee's practice.

    Each rated competency is an ``ObservationCompetency`` row and counts as its own evidence
    item, so one observation can say "met" for one competency and "not yet" for another.
    A withdrawn observation is kept for the record but no longer shown or counted.
    """

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="observations_received"
    )
    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="observations_recorded",
    )
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="+")
    observed_on = models.DateField(_("date of the observation"))
    setting = models.CharField(
        max_length=200, help_text=_("Where the practice was seen, for example Home visit.")
    )
    comments = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-observed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(observer=F("trainee")), name="competencies_observation_not_self"
            ),
            models.CheckConstraint(
                condition=~Q(setting=""), name="competencies_observation_setting_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return gettext("Observation on %(date)s: %(setting)s") % {
            "date": date_format(self.observed_on, "d F Y"),
            "setting": self.setting,
        }

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class ObservationCompetency(models.Model):
    """One competency seen in an observation, at a level, met or not yet."""

    class Outcome(models.TextChoices):
        MET = "met", _("Met")
        NOT_YET = "not_yet", _("Not yet")

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="ratings")
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)

    class Meta:
        ordering = ["competency__area__sort_order", "competency__sort_order", "competency__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["observation", "competency"], name="competencies_observation_rating_once"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1), name="competencies_observation_rating_level_min"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["met", "not_yet"]),
                name="competencies_observation_rating_outcome_valid",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(competency)s at level %(level)s: %(outcome)s") % {
            "competency": self.competency,
            "level": self.level,
            "outcome": self.get_outcome_display(),
        }


class SelfAssessment(models.Model):
    """A trainee's own rating of one competency at the level they are aiming for."""

    class Rating(models.TextChoices):
        ACHIEVED = "achieved", _("Achieved")
        WORKING_TOWARDS = "working_towards", _("Working towards")
        NOT_YET = "not_yet", _("Not yet")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="self_assessments"
    )
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(help_text=_("The level the trainee is aiming for."))
    rating = models.CharField(max_length=20, choices=Rating.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["competency__area__sort_order", "competency__sort_order", "competency__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "competency"], name="competencies_self_assessment_once"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1), name="competencies_self_assessment_level_min"
            ),
            models.CheckConstraint(
                condition=Q(rating__in=["achieved", "working_towards", "not_yet"]),
                name="competencies_self_assessment_rating_valid",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(competency)s at level %(level)s: %(rating)s") % {
            "competency": self.competency,
            "level": self.level,
            "rating": self.get_rating_display(),
        }


class ExternalProgramme(ClusterableModel):
    """A training programme run elsewhere, mapped against a framework by educators.

    Approved programmes make up the directory trainees browse; claiming one logs it as their
    ``ExternalLearning`` in one step, prefilled from the programme and its mapping.
    """

    class Format(models.TextChoices):
        FACE_TO_FACE = "face_to_face", _("Face to face")
        ONLINE = "online", _("Online, live")
        BLENDED = "blended", _("Blended")
        SELF_STUDY = "self_study", _("Self-study or e-learning")
        CONFERENCE = "conference", _("Conference or study day")
        UNIVERSITY = "university", _("University module")
        OTHER = "other", _("Other")

    class ReviewStatus(models.TextChoices):
        UNDER_REVIEW = "under_review", _("Under review")
        APPROVED = "approved", _("Mapped and approved")
        NOT_APPROVED = "not_approved", _("Not approved")

    title = models.CharField(max_length=255)
    provider = models.CharField(max_length=255, help_text=_("Who runs it."))
    description = models.TextField(blank=True, max_length=5000)
    url = models.URLField(
        _("web address"), blank=True, help_text=_("The provider's page about the programme.")
    )
    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="external_programmes"
    )
    level = models.PositiveSmallIntegerField(
        default=1, help_text=_("The framework level the programme is pitched at, as a number.")
    )
    format = models.CharField(max_length=20, choices=Format.choices)
    typical_hours = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        help_text=_("The hours of learning most people do, like 7.5 for a study day."),
    )
    participatory = models.BooleanField(
        default=False,
        help_text=_("Learning with other people, as professional revalidation counts it."),
    )
    review_status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.UNDER_REVIEW
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_notes = models.TextField(blank=True, max_length=5000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "provider"]
        verbose_name = _("external programme")
        verbose_name_plural = _("external programmes")
        permissions = [
            ("review_externalprogramme", _("Can approve or not approve external programmes"))
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("title"),
                Lower("provider"),
                name="competencies_programme_title_provider_unique",
                violation_error_message=_("A programme with this title and provider exists."),
            ),
            models.CheckConstraint(
                condition=Q(typical_hours__gt=0), name="competencies_programme_hours_positive"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1), name="competencies_programme_level_min"
            ),
            models.CheckConstraint(
                condition=Q(review_status__in=["under_review", "approved", "not_approved"]),
                name="competencies_programme_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    format__in=[
                        "face_to_face",
                        "online",
                        "blended",
                        "self_study",
                        "conference",
                        "university",
                        "other",
                    ]
                ),
                name="competencies_programme_format_valid",
            ),
            models.CheckConstraint(
                condition=~Q(review_status="not_approved") | ~Q(review_notes=""),
                name="competencies_programme_not_approved_has_notes",
            ),
        ]
        indexes = [models.Index(fields=["review_status", "title"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.provider})"

    @property
    def is_approved(self) -> bool:
        return self.review_status == self.ReviewStatus.APPROVED

    @property
    def level_text(self) -> str:
        return self.framework.level_label(self.level)

    def clean(self) -> None:
        framework = getattr(self, "framework", None)
        if framework is not None and not 1 <= (self.level or 0) <= len(framework.levels):
            raise ValidationError(
                {
                    "level": gettext("Choose a level from 1 to %(count)s.")
                    % {"count": len(framework.levels)}
                }
            )


class ExternalProgrammeCompetency(Orderable, MappingBase):
    """A competency an external programme develops, at a level of its framework."""

    programme = ParentalKey(ExternalProgramme, on_delete=models.CASCADE, related_name="mappings")

    class Meta(Orderable.Meta):
        verbose_name = _("competency mapping")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "competency"], name="competencies_programme_mapping_once"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1), name="competencies_programme_mapping_level_min"
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(competency)s at level %(level)s") % {
            "competency": self.competency,
            "level": self.level,
        }


def external_learning_upload_to(instance: ExternalLearning, filename: str) -> str:
    """A private prefix and a random name: the original name is kept in the row only."""
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()
    return f"private/competencies/external-learning/{uuid.uuid4().hex}{suffix}"


class ExternalLearning(models.Model):
    """Learning a trainee did elsewhere, logged once: CPD hours in their portfolio and, when
    they claim competencies and an educator verifies it, evidence for those competencies."""

    class Status(models.TextChoices):
        # No competencies claimed: it counts as CPD and there is nothing to review.
        LOGGED = "logged", _("Logged for CPD")
        PENDING = "pending", _("Waiting for review")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Not accepted")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_learning"
    )
    title = models.CharField(max_length=255)
    provider = models.CharField(max_length=255)
    completed_on = models.DateField(_("date completed"))
    hours = models.DecimalField(max_digits=5, decimal_places=1)
    participatory = models.BooleanField(
        default=False,
        help_text=_("Learning with other people, as professional revalidation counts it."),
    )
    reflection = models.TextField(blank=True, max_length=10000)
    evidence_file = models.FileField(
        upload_to=external_learning_upload_to, storage=private_storage, blank=True
    )
    evidence_file_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.LOGGED)
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejection_reason = models.TextField(blank=True)
    programme = models.ForeignKey(
        ExternalProgramme,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="learning_records",
        help_text=_("The directory programme this was claimed from, if any."),
    )

    class Meta:
        ordering = ["-completed_on", "-id"]
        verbose_name = _("external learning")
        verbose_name_plural = _("external learning")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["logged", "pending", "verified", "rejected"]),
                name="competencies_external_learning_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="competencies_external_learning_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0), name="competencies_external_learning_hours_positive"
            ),
            # A double-submitted claim is refused; doing the programme again on another day
            # is a new record.
            models.UniqueConstraint(
                fields=["user", "programme", "completed_on"],
                condition=Q(programme__isnull=False),
                name="competencies_external_learning_programme_once_a_day",
            ),
        ]
        indexes = [models.Index(fields=["user", "-completed_on"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.provider})"


class ExternalLearningCompetency(models.Model):
    """A competency that a piece of external learning claims, at a level."""

    external_learning = models.ForeignKey(
        ExternalLearning, on_delete=models.CASCADE, related_name="claims"
    )
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["competency__area__sort_order", "competency__sort_order", "competency__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_learning", "competency"],
                name="competencies_external_claim_once",
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1), name="competencies_external_claim_level_min"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competency} at level {self.level}"
