"""Recognition at a framework level: schemes, applications, their evidence and the register.

A ``Scheme`` says what recognition at one level of one framework requires. A practitioner's
``Application`` gathers a snapshot of their evidence (``EvidenceItem`` rows rebuilt at each
submission) and their statements; assessors talk to them through ``Message`` rows and decide.
Approval grants a ``Recognition``, the register entry, which lapses at ``valid_until`` unless
renewed. Every transition goes through ``imh_recognition.services``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

from imh_certificates.models import code_generate


class AreaOfPractice(models.TextChoices):
    HEALTH_VISITING = "health_visiting", _("Health visiting")
    MIDWIFERY = "midwifery", _("Midwifery")
    EARLY_YEARS = "early_years", _("Early years and childcare")
    PERINATAL_IMH = "perinatal_imh", _("Perinatal and infant mental health")
    FAMILY_SUPPORT = "family_support", _("Children's centres and family support")
    SOCIAL_CARE = "social_care", _("Social care")
    PRIMARY_CARE = "primary_care", _("Primary care")
    OTHER = "other", _("Other")


class Region(models.TextChoices):
    NORTH_EAST = "north_east", _("North East")
    NORTH_WEST = "north_west", _("North West")
    YORKSHIRE = "yorkshire", _("Yorkshire and the Humber")
    EAST_MIDLANDS = "east_midlands", _("East Midlands")
    WEST_MIDLANDS = "west_midlands", _("West Midlands")
    EAST_OF_ENGLAND = "east_of_england", _("East of England")
    LONDON = "london", _("London")
    SOUTH_EAST = "south_east", _("South East")
    SOUTH_WEST = "south_west", _("South West")
    WALES = "wales", _("Wales")
    SCOTLAND = "scotland", _("Scotland")
    NORTHERN_IRELAND = "northern_ireland", _("Northern Ireland")


class Scheme(models.Model):
    """What recognition at one level of one framework requires."""

    framework = models.ForeignKey(
        "imh_competencies.Framework",
        on_delete=models.CASCADE,
        related_name="recognition_schemes",
        verbose_name=_("framework"),
    )
    level = models.PositiveSmallIntegerField(
        _("level"),
        validators=[MinValueValidator(1)],
        help_text=_("The framework level, counting from 1 for the lowest."),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    min_supervision_hours = models.DecimalField(
        _("minimum supervision hours"),
        max_digits=6,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    reliability_required = models.BooleanField(
        _("current reliability result required"), default=False
    )
    min_competencies_evidenced = models.PositiveIntegerField(
        _("competencies to evidence"),
        default=0,
        help_text=_("How many competencies need evidence; 0 means every competency."),
    )
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"), default=36, validators=[MinValueValidator(1)]
    )
    renewal_window_days = models.PositiveSmallIntegerField(
        _("renewal window (days)"),
        default=90,
        help_text=_("How many days before expiry a renewal can be started."),
    )
    open = models.BooleanField(
        _("open for applications"), default=True, help_text=_("Practitioners can apply.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("framework"), FieldPanel("level")]),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("min_supervision_hours"),
                FieldPanel("reliability_required"),
                FieldPanel("min_competencies_evidenced"),
            ],
            heading=_("Requirements"),
        ),
        MultiFieldPanel(
            [FieldPanel("validity_months"), FieldPanel("renewal_window_days")],
            heading=_("Validity and renewal"),
        ),
        FieldPanel("open"),
    ]

    class Meta:
        ordering = ["framework__name", "level"]
        verbose_name = _("recognition scheme")
        verbose_name_plural = _("recognition schemes")
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "level"], name="recognition_scheme_unique_level"
            ),
            models.CheckConstraint(condition=Q(level__gte=1), name="recognition_scheme_level_min"),
            models.CheckConstraint(
                condition=Q(min_supervision_hours__gte=0),
                name="recognition_scheme_hours_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(validity_months__gte=1), name="recognition_scheme_validity_min"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def level_label(self) -> str:
        return self.framework.level_label(self.level)


OPEN_STATUSES = ("draft", "submitted", "more_info")


class Application(models.Model):
    class Kind(models.TextChoices):
        NEW = "new", _("New")
        RENEWAL = "renewal", _("Renewal")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        MORE_INFO = "more_info", _("More information requested")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="recognition_applications",
        verbose_name=_("applicant"),
    )
    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="applications", verbose_name=_("scheme")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NEW)
    renews = models.ForeignKey(
        "Recognition",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="renewal_applications",
        verbose_name=_("renews"),
    )
    area_of_practice = models.CharField(
        _("area of practice"), max_length=30, choices=AreaOfPractice.choices, blank=True
    )
    region = models.CharField(_("region"), max_length=30, choices=Region.choices, blank=True)
    statement = models.TextField(_("statement"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    public_consent_requested = models.BooleanField(
        _("list me on the public register if approved"), default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("recognition application")
        verbose_name_plural = _("recognition applications")
        permissions = [("review_application", _("Can review recognition applications"))]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "scheme"],
                condition=Q(status__in=OPEN_STATUSES),
                name="recognition_application_one_open",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["new", "renewal"]), name="recognition_application_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "draft",
                        "submitted",
                        "more_info",
                        "approved",
                        "declined",
                        "withdrawn",
                    ]
                ),
                name="recognition_application_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "declined"]) | Q(decided_at__isnull=False),
                name="recognition_application_decided_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decision_reason=""),
                name="recognition_application_decline_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["submitted", "more_info", "approved", "declined"])
                | Q(submitted_at__isnull=False),
                name="recognition_application_submitted_at",
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="recognition_queue_idx")]

    def __str__(self) -> str:
        return f"{self.scheme} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_editable(self) -> bool:
        """The applicant can change it: a draft, or an answer to a request for more."""
        return self.status in (self.Status.DRAFT, self.Status.MORE_INFO)


class CompetencyStatement(models.Model):
    """The applicant's short statement of how they meet one competency."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="competency_statements"
    )
    competency = models.ForeignKey(
        "imh_competencies.Competency", on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField(_("statement"))

    class Meta:
        ordering = ["competency__area__sort_order", "competency__sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "competency"], name="recognition_statement_unique"
            )
        ]

    def __str__(self) -> str:
        return str(self.competency)


class EvidenceItem(models.Model):
    """One piece of evidence as it stood when the application was (re)submitted."""

    class Kind(models.TextChoices):
        CERTIFICATE = "certificate", _("Certificate")
        OBSERVATION = "observation", _("Observation of practice")
        EXTERNAL = "external", _("External learning (verified)")
        SUPERVISION = "supervision", _("Reflective supervision")
        RELIABILITY = "reliability", _("Observation-scale reliability")
        COURSE = "course", _("Course completed")
        QUIZ = "quiz", _("Quiz passed")
        H5P = "h5p", _("Interactive activity passed")
        ATTENDANCE = "attendance", _("Live session attended")
        SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
        OTHER = "other", _("Other")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="evidence_items"
    )
    competency = models.ForeignKey(
        "imh_competencies.Competency",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty when the item applies to the whole application."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=255)
    occurred_on = models.DateField(_("date"), null=True, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2, null=True, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    source_type = models.CharField(max_length=60, blank=True)
    source_id = models.BigIntegerField(null=True, blank=True)
    included = models.BooleanField(_("included"), default=True)

    class Meta:
        ordering = ["-occurred_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "certificate",
                        "observation",
                        "external",
                        "supervision",
                        "reliability",
                        "course",
                        "quiz",
                        "h5p",
                        "attendance",
                        "self_assessment",
                        "other",
                    ]
                ),
                name="recognition_evidence_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gte=0),
                name="recognition_evidence_hours_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class Message(models.Model):
    """The review thread between assessors and the applicant."""

    class Kind(models.TextChoices):
        REQUEST = "request", _("Request for more information")
        RESPONSE = "response", _("Response")
        NOTE = "note", _("Internal note")
        DECISION = "decision", _("Decision")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["request", "response", "note", "decision"]),
                name="recognition_message_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(text=""), name="recognition_message_text_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d})"


class Recognition(models.Model):
    """A granted recognition: the entry on the register."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        LAPSED = "lapsed", _("Lapsed")
        SUPERSEDED = "superseded", _("Superseded by renewal")
        REVOKED = "revoked", _("Revoked")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="recognitions",
        verbose_name=_("person"),
    )
    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="recognitions", verbose_name=_("scheme")
    )
    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="recognition"
    )
    level = models.PositiveSmallIntegerField(_("level"))
    code = models.CharField(
        _("verification code"), max_length=32, unique=True, default=code_generate, editable=False
    )
    area_of_practice = models.CharField(
        _("area of practice"), max_length=30, choices=AreaOfPractice.choices, blank=True
    )
    region = models.CharField(_("region"), max_length=30, choices=Region.choices, blank=True)
    display_name = models.CharField(_("name on the register"), max_length=200)
    granted_on = models.DateField(_("granted on"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    revoked_reason = models.TextField(_("reason for revoking"), blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    public = models.BooleanField(_("listed on the public register"), default=False)
    public_changed_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Days before expiry for which a reminder has been sent."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-granted_on", "-pk"]
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["active", "lapsed", "superseded", "revoked"]),
                name="recognition_recognition_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("granted_on")),
                name="recognition_recognition_valid_after_granted",
            ),
            models.CheckConstraint(
                condition=~Q(status="revoked") | ~Q(revoked_reason=""),
                name="recognition_recognition_revoke_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="revoked", revoked_at__isnull=False)
                | (~Q(status="revoked") & Q(revoked_at__isnull=True)),
                name="recognition_recognition_revoked_when",
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1), name="recognition_recognition_level_min"
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "public", "valid_until"], name="recognition_register_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name}: {self.scheme} ({self.code})"

    @property
    def level_label(self) -> str:
        return self.scheme.framework.level_label(self.level)
