"""Observation scales, private clips with expert codes, reliability tests and attempts.

A *scale* (for example a screening instrument) has *items*, each rated on ordinal *points*
with descriptors. Educators upload *clips* (private video files, never on a public URL) with an
expert *reference* code per item, then build a *test*: a set of clips, an agreement measure and a
pass mark. A trainee's *attempt* holds one *rating* per clip and item; on submission it is scored
against the references and, when passed, gives a result valid for ``validity_months``.
"""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from imh_core.storage import private_storage
from imh_reliability.files import clip_file_check


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved on by ``months`` calendar months (31 January + 1 month = end of February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))


class Scale(ClusterableModel):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    licence_note = models.TextField(
        _("licence note"),
        blank=True,
        help_text=_("Who owns the instrument and on what terms it may be used for training."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("observation scale")
        verbose_name_plural = _("observation scales")

    def __str__(self) -> str:
        return self.name


class ScaleItem(ClusterableModel):
    """One item of a scale (for example "Gaze"), rated on its own ordinal points."""

    scale = ParentalKey(Scale, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    guidance = models.TextField(_("guidance"), blank=True)

    class Meta:
        ordering = ["scale", "position"]
        verbose_name = _("scale item")
        verbose_name_plural = _("scale items")
        constraints = [
            models.UniqueConstraint(
                fields=["scale", "position"], name="reliability_scaleitem_position_unique"
            ),
            models.UniqueConstraint(
                fields=["scale", "code"], name="reliability_scaleitem_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def point_values(self) -> list[int]:
        return [point.value for point in self.points.all()]


class ScalePoint(models.Model):
    """An ordinal point of an item: its value (1, 2, 3...), label and descriptor."""

    item = ParentalKey(ScaleItem, on_delete=models.CASCADE, related_name="points")
    value = models.SmallIntegerField(_("value"))
    label = models.CharField(_("label"), max_length=100)
    descriptor = models.TextField(_("descriptor"), blank=True)

    class Meta:
        ordering = ["item", "value"]
        verbose_name = _("scale point")
        verbose_name_plural = _("scale points")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "value"], name="reliability_scalepoint_value_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value} {self.label}"


def clip_upload_to(instance: Clip, filename: str) -> str:
    name = filename.rsplit("/", 1)[-1]
    return f"private/reliability/clips/{timezone.now():%Y/%m}/{name}"


class Clip(ClusterableModel):
    """A private video to rate. The file is deleted at ``retain_until``; the row stays."""

    scale = models.ForeignKey(Scale, on_delete=models.PROTECT, related_name="clips")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("video file"), storage=private_storage, upload_to=clip_upload_to, max_length=300
    )
    content_type = models.CharField(max_length=100, blank=True, editable=False)
    transcript = models.TextField(
        _("description for people who cannot see the video"),
        blank=True,
        help_text=_("A text description of what happens in the clip, for accessibility."),
    )
    is_synthetic = models.BooleanField(
        _("synthetic"),
        default=False,
        help_text=_("Made for training or demonstration; shows no real family."),
    )
    consent_record = models.TextField(
        _("consent record"),
        blank=True,
        help_text=_("Who consented, how, and to what use. Required unless the clip is synthetic."),
    )
    consent_obtained_on = models.DateField(_("consent obtained on"), null=True, blank=True)
    retain_until = models.DateField(
        _("retain until"), help_text=_("The file is deleted automatically after this date.")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["scale", "title"]
        verbose_name = _("clip")
        verbose_name_plural = _("clips")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_synthetic=True)
                | (~Q(consent_record="") & Q(consent_obtained_on__isnull=False)),
                name="reliability_clip_consent_unless_synthetic",
            ),
        ]

    def __str__(self) -> str:
        if self.is_synthetic:
            return gettext("%(title)s (synthetic)") % {"title": self.title}
        return self.title

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def missing_reference_items(self) -> list[ScaleItem]:
        coded = {ref.item_id for ref in self.references.all()}
        return [item for item in self.scale.items.all() if item.pk not in coded]

    @property
    def is_usable(self) -> bool:
        """Whether the file still exists and every item of the scale has a reference code."""
        return not self.is_deleted and bool(self.file) and not self.missing_reference_items()

    def clean(self) -> None:
        errors = {}
        if not self.is_synthetic:
            if not (self.consent_record or "").strip():
                errors["consent_record"] = gettext(
                    "Record who consented, how and to what use, or mark the clip as synthetic."
                )
            if not self.consent_obtained_on:
                errors["consent_obtained_on"] = gettext("Enter the date consent was obtained.")
        if self.file and not getattr(self.file, "_committed", True):
            try:
                self.content_type = clip_file_check(self.file)
            except ValidationError as exc:
                errors["file"] = exc.messages
        if errors:
            raise ValidationError(errors)


class ClipReference(models.Model):
    """The expert reference code for one item of a clip."""

    clip = ParentalKey(Clip, on_delete=models.CASCADE, related_name="references")
    item = models.ForeignKey(ScaleItem, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField(_("reference value"))

    class Meta:
        ordering = ["clip", "item__position"]
        verbose_name = _("reference code")
        verbose_name_plural = _("reference codes")
        constraints = [
            models.UniqueConstraint(
                fields=["clip", "item"], name="reliability_clipreference_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.code}: {self.value}"

    def clean(self) -> None:
        item = getattr(self, "item", None)
        clip = getattr(self, "clip", None)
        if item is None:
            return
        if clip is not None and clip.scale_id and item.scale_id != clip.scale_id:
            raise ValidationError({"item": gettext("Choose an item of the clip's scale.")})
        if item.pk and self.value is not None and self.value not in item.point_values:
            raise ValidationError(
                {
                    "value": gettext("Choose one of the item's points: %(values)s.")
                    % {"values": ", ".join(str(v) for v in item.point_values)}
                }
            )


class Metric(models.TextChoices):
    EXACT = "exact", _("Exact agreement")
    WITHIN_ONE = "within_one", _("Agreement within one point")
    WEIGHTED_KAPPA = "weighted_kappa", _("Weighted kappa")


class KappaWeights(models.TextChoices):
    QUADRATIC = "quadratic", _("Quadratic")
    LINEAR = "linear", _("Linear")


class ReliabilityTest(ClusterableModel):
    Metric = Metric

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    scale = models.ForeignKey(Scale, on_delete=models.PROTECT, related_name="tests")
    introduction = models.TextField(_("introduction"), blank=True)
    clips = models.ManyToManyField(Clip, through="TestClip", related_name="tests", blank=True)
    metric = models.CharField(
        _("pass measure"), max_length=20, choices=Metric.choices, default=Metric.EXACT
    )
    kappa_weights = models.CharField(
        _("kappa weights"),
        max_length=10,
        choices=KappaWeights.choices,
        default=KappaWeights.QUADRATIC,
        help_text=_("Quadratic weights are usual for ordinal scales."),
    )
    pass_mark = models.DecimalField(
        _("pass mark"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("A percentage (0 to 100) for agreement, or 0 to 1 for weighted kappa."),
    )
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"), default=24, validators=[MinValueValidator(1)]
    )
    live = models.BooleanField(_("live"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("reliability test")
        verbose_name_plural = _("reliability tests")
        constraints = [
            models.CheckConstraint(
                condition=Q(metric__in=["exact", "within_one", "weighted_kappa"]),
                name="reliability_test_metric_valid",
            ),
            models.CheckConstraint(
                condition=Q(kappa_weights__in=["quadratic", "linear"]),
                name="reliability_test_kappa_weights_valid",
            ),
            models.CheckConstraint(
                condition=(
                    Q(metric="weighted_kappa", pass_mark__gte=0, pass_mark__lte=1)
                    | (
                        Q(metric__in=["exact", "within_one"])
                        & Q(pass_mark__gte=0, pass_mark__lte=100)
                    )
                ),
                name="reliability_test_pass_mark_range",
            ),
            models.CheckConstraint(
                condition=Q(validity_months__gte=1), name="reliability_test_validity_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.pass_mark is None:
            return
        if self.metric == Metric.WEIGHTED_KAPPA and not 0 <= self.pass_mark <= 1:
            raise ValidationError(
                {"pass_mark": gettext("For weighted kappa, give a pass mark from 0 to 1.")}
            )
        if self.metric != Metric.WEIGHTED_KAPPA and not 0 <= self.pass_mark <= 100:
            raise ValidationError(
                {"pass_mark": gettext("Give the pass mark as a percentage from 0 to 100.")}
            )

    @property
    def pass_mark_display(self) -> str:
        if self.metric == Metric.WEIGHTED_KAPPA:
            return f"{self.pass_mark:.2f}"
        return f"{self.pass_mark.normalize():f}%"

    def ordered_test_clips(self) -> list[TestClip]:
        return list(self.test_clips.select_related("clip").order_by("position", "id"))

    def expiry_for(self, submitted: datetime.datetime) -> datetime.date:
        return add_months(timezone.localdate(submitted), self.validity_months)


class TestClip(models.Model):
    """A clip in a test, in order."""

    sort_order_field = "position"

    test = ParentalKey(ReliabilityTest, on_delete=models.CASCADE, related_name="test_clips")
    clip = models.ForeignKey(Clip, on_delete=models.PROTECT, related_name="test_clips")
    position = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["test", "position", "id"]
        verbose_name = _("clip in test")
        verbose_name_plural = _("clips in test")
        constraints = [
            models.UniqueConstraint(fields=["test", "clip"], name="reliability_testclip_unique"),
        ]

    def __str__(self) -> str:
        return str(self.clip)


class ReliabilityTestCompetency(models.Model):
    """A competency a pass counts towards, as evidence, at a level."""

    test = ParentalKey(ReliabilityTest, on_delete=models.CASCADE, related_name="competencies")
    competency = models.ForeignKey(
        "imh_competencies.Competency", on_delete=models.CASCADE, related_name="+"
    )
    level = models.PositiveSmallIntegerField(_("level"), default=1)

    class Meta:
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")
        constraints = [
            models.UniqueConstraint(
                fields=["test", "competency"], name="reliability_testcompetency_unique"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1), name="reliability_testcompetency_level_min"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competency} ({self.level})"

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


class Attempt(models.Model):
    test = models.ForeignKey(ReliabilityTest, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reliability_attempts"
    )
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    exact_agreement = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    within_one_agreement = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True
    )
    weighted_kappa = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    # What the test asked when this attempt was scored, so later edits don't rewrite history.
    metric = models.CharField(max_length=20, choices=Metric.choices, blank=True)
    pass_mark = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    # The clips of the test when the attempt started, in order (ids).
    clip_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["test", "user"],
                condition=Q(submitted_at__isnull=True),
                name="reliability_attempt_one_open",
            ),
            models.CheckConstraint(
                condition=Q(passed__isnull=True) | Q(submitted_at__isnull=False),
                name="reliability_attempt_passed_only_when_submitted",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(passed=True),
                name="reliability_attempt_expiry_only_when_passed",
            ),
        ]
        indexes = [models.Index(fields=["user", "test"])]

    def __str__(self) -> str:
        return f"{self.test}: {self.user}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def is_current(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return bool(self.passed and self.expires_on and self.expires_on >= today)

    @property
    def is_expired(self) -> bool:
        return bool(self.passed and self.expires_on and self.expires_on < timezone.localdate())


class Rating(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="ratings")
    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(ScaleItem, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField()

    class Meta:
        ordering = ["attempt", "clip", "item__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "clip", "item"], name="reliability_rating_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clip_id}/{self.item_id}: {self.value}"


class ClipView(models.Model):
    """One start of streaming a clip: who, when, why."""

    class Purpose(models.TextChoices):
        RATING = "rating", _("Rating")
        REVIEW = "review", _("Review of a result")
        ADMIN_PREVIEW = "admin_preview", _("Educator preview")

    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="views")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reliability_clip_views",
    )
    attempt = models.ForeignKey(
        Attempt, null=True, blank=True, on_delete=models.SET_NULL, related_name="clip_views"
    )
    viewed_at = models.DateTimeField(default=timezone.now)
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-viewed_at", "-id"]
        verbose_name = _("clip view")
        verbose_name_plural = _("clip views")
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose__in=["rating", "review", "admin_preview"]),
                name="reliability_clipview_purpose_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clip_id} {self.viewed_at:%Y-%m-%d %H:%M}"
