"""CPD certificates: the record, its lifecycle events, templates and expiry reminders.

A certificate states what was completed as it stood at issue (a snapshot handed over by the
app that decided completion), so later edits to a course or a person's name never change a
certificate that an employer may already have checked. One certificate per completion is
guaranteed by a unique constraint on its source while it is current (a reissue supersedes
the old record first).
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

from imh_core.storage import private_storage

# No look-alikes: no 0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V.
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTWXY"
CODE_GROUPS = 5
CODE_GROUP_LENGTH = 4
# 20 characters from 23 symbols: about 90 bits.


def code_generate() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LENGTH))
    return "-".join(raw[i : i + CODE_GROUP_LENGTH] for i in range(0, len(raw), CODE_GROUP_LENGTH))


def code_normalise(value: str) -> str | None:
    """A typed code in canonical form (upper case, grouped), or None if it cannot be one."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    compact = "".join(ch for ch in value.upper() if ch.isalnum())
    if len(compact) != CODE_GROUPS * CODE_GROUP_LENGTH or any(
        ch not in CODE_ALPHABET for ch in compact
    ):
        return None
    return "-".join(
        compact[i : i + CODE_GROUP_LENGTH] for i in range(0, len(compact), CODE_GROUP_LENGTH)
    )


class CertificateTemplate(models.Model):
    """How certificates look and who signs them; editable in the Wagtail admin."""

    name = models.CharField(max_length=120, unique=True)
    is_default = models.BooleanField(
        default=False, help_text=_("Used for every certificate unless a course says otherwise.")
    )
    issuer_name = models.CharField(
        max_length=200, help_text=_("The organisation issuing the certificate.")
    )
    logo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    primary_colour = models.CharField(max_length=7, default="#005EB8")
    accent_colour = models.CharField(max_length=7, default="#41B6E6")
    heading = models.CharField(max_length=120, default="Certificate of completion")
    wording = models.TextField(
        default="has completed the following continuing professional development",
        help_text=_("The sentence between the holder's name and what they completed."),
    )
    signatory_name = models.CharField(max_length=120, blank=True)
    signatory_role = models.CharField(max_length=120, blank=True)
    signature = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("is_default"),
        MultiFieldPanel([FieldPanel("issuer_name"), FieldPanel("logo")], heading=_("Issuer")),
        MultiFieldPanel(
            [
                FieldPanel("heading"),
                FieldPanel("wording"),
                FieldPanel("primary_colour"),
                FieldPanel("accent_colour"),
            ],
            heading=_("Wording and colours"),
        ),
        MultiFieldPanel(
            [FieldPanel("signatory_name"), FieldPanel("signatory_role"), FieldPanel("signature")],
            heading=_("Signatory"),
        ),
    ]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="certificates_one_default_template",
            ),
            models.CheckConstraint(
                condition=Q(primary_colour__regex=r"^#[0-9A-Fa-f]{6}$")
                & Q(accent_colour__regex=r"^#[0-9A-Fa-f]{6}$"),
                name="certificates_template_colours_hex",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Certificate(models.Model):
    class Kind(models.TextChoices):
        COURSE = "course", _("Course")
        PATHWAY = "pathway", _("Pathway")

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")
        SUPERSEDED = "superseded", _("Superseded by a reissue")

    class PdfStatus(models.TextChoices):
        PENDING = "pending", _("Waiting to be made")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed (will retry)")
        GAVE_UP = "gave_up", _("Failed")

    code = models.CharField(max_length=24, unique=True, default=code_generate, editable=False)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates"
    )
    holder_name = models.CharField(max_length=255, help_text=_("The name as it stood at issue."))
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COURSE)
    source_type = models.CharField(
        max_length=60, help_text=_('What was completed, "app_label.model" of the completion.')
    )
    source_id = models.BigIntegerField()
    title = models.CharField(max_length=255)
    cpd_hours = models.DecimalField(max_digits=6, decimal_places=1)
    completed_on = models.DateField()
    competencies = models.JSONField(
        default=list,
        blank=True,
        help_text=_("[{framework, code, name, level, level_label}] evidenced, as at issue."),
    )
    sessions = models.JSONField(
        default=list, blank=True, help_text=_("[{title, date}] of live sessions attended.")
    )
    issuer_name = models.CharField(max_length=200)
    signatory_name = models.CharField(max_length=120, blank=True)
    signatory_role = models.CharField(max_length=120, blank=True)
    template = models.ForeignKey(
        CertificateTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    expires_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.VALID)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)
    superseded_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )
    pdf = models.FileField(upload_to="private/certificates/", storage=private_storage, blank=True)
    pdf_status = models.CharField(
        max_length=10, choices=PdfStatus.choices, default=PdfStatus.PENDING
    )
    pdf_attempts = models.PositiveSmallIntegerField(default=0)
    pdf_error = models.TextField(blank=True)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id"],
                condition=~Q(status="superseded"),
                name="certificates_one_current_per_completion",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["valid", "revoked", "superseded"]),
                name="certificates_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="revoked") | ~Q(revoked_reason=""),
                name="certificates_revocation_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="superseded") | Q(superseded_by__isnull=False),
                name="certificates_superseded_has_successor",
            ),
            models.CheckConstraint(
                condition=Q(cpd_hours__gte=0), name="certificates_cpd_hours_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["holder", "-issued_at"]),
            models.Index(fields=["expires_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title} ({self.holder_name})"

    def effective_status(self, today: datetime.date | None = None) -> str:
        """valid, expired, revoked or superseded: expiry is a date, not a stored state."""
        if self.status != self.Status.VALID:
            return self.status
        today = today or timezone.localdate()
        if self.expires_on is not None and self.expires_on < today:
            return "expired"
        return "valid"


class CertificateEvent(models.Model):
    """The audit trail: issue, revocation (with reason), reissue, PDF failures, reminders."""

    class Action(models.TextChoices):
        ISSUED = "issued", _("Issued")
        REVOKED = "revoked", _("Revoked")
        REISSUED = "reissued", _("Reissued")
        PDF_READY = "pdf_ready", _("PDF made")
        PDF_FAILED = "pdf_failed", _("PDF failed")
        REMINDER_SENT = "reminder_sent", _("Expiry reminder sent")

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d}"


class ExpiryReminder(models.Model):
    """One reminder per certificate per threshold (60 and 14 days), sent once."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, related_name="expiry_reminders"
    )
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "days_before"], name="certificates_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certificate.code} {self.days_before} days"
