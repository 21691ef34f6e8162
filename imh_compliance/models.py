"""Mandatory training: the rules an employer sets, who is assigned what, and the audit trail.

Statuses (not started, in progress, completed, expiring, expired, overdue) are never stored:
they depend on the day. What they are worked out from is: each assignment keeps the facts of
the learning records that decide it (completed on, valid until, started), refreshed by
``imh_compliance.services.facts`` whenever those records change, so the dashboard of thousands
of staff reads one table. ``imh_compliance.status`` holds the rules.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from imh_core.storage import private_storage
from imh_courses.models.pages import RoleListField

MAX_DUE_DAYS = 730
MAX_RENEWAL_DAYS = 365

# Exactly one of course and pathway is set on rules and assignments.
_ONE_ITEM = (Q(course__isnull=False) & Q(pathway__isnull=True)) | (
    Q(course__isnull=True) & Q(pathway__isnull=False)
)


class RequiredItem(models.Model):
    """Something to complete: a course or a pathway (exactly one)."""

    course = models.ForeignKey(
        "imh_courses.CoursePage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    pathway = models.ForeignKey(
        "imh_courses.Pathway",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def item(self):
        return self.course if self.course_id else self.pathway

    @property
    def item_key(self) -> str:
        """ "course:12" or "pathway:3": how columns and form choices name an item."""
        return f"course:{self.course_id}" if self.course_id else f"pathway:{self.pathway_id}"

    @property
    def item_title(self) -> str:
        item = self.item
        return item.title if item is not None else ""

    def clean(self) -> None:
        super().clean()
        if bool(self.course_id) == bool(self.pathway_id):
            raise ValidationError(
                gettext("Choose a course or a pathway (one, not both)."), code="one_item"
            )


class MandatoryRule(RequiredItem):
    """A course or pathway an organisation requires of its staff in some professional roles."""

    organisation = models.ForeignKey(
        "imh_organisations.Organisation", on_delete=models.CASCADE, related_name="mandatory_rules"
    )
    roles = RoleListField(
        _("professional roles"),
        help_text=_("Staff in these roles must complete it. Choose none for all staff."),
    )
    due_within_days = models.PositiveSmallIntegerField(
        _("due within (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DUE_DAYS)],
        help_text=_("How long new staff have to complete it after they join."),
    )
    renewal_days_before_expiry = models.PositiveSmallIntegerField(
        _("renew (days before expiry)"),
        default=60,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_RENEWAL_DAYS)],
        help_text=_(
            "For courses whose certificates expire: staff are enrolled again this many days "
            "before expiry, due on the expiry date."
        ),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive rules assign nothing new.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation", "pk"]
        constraints = [
            models.CheckConstraint(condition=_ONE_ITEM, name="compliance_rule_one_item"),
            models.UniqueConstraint(
                fields=["organisation", "course"],
                condition=Q(course__isnull=False),
                name="compliance_rule_course_once",
                violation_error_message=_("There is already a rule for this course."),
            ),
            models.UniqueConstraint(
                fields=["organisation", "pathway"],
                condition=Q(pathway__isnull=False),
                name="compliance_rule_pathway_once",
                violation_error_message=_("There is already a rule for this pathway."),
            ),
            models.CheckConstraint(
                condition=Q(due_within_days__gte=1, due_within_days__lte=MAX_DUE_DAYS),
                name="compliance_rule_due_days_range",
            ),
            models.CheckConstraint(
                condition=Q(renewal_days_before_expiry__lte=MAX_RENEWAL_DAYS),
                name="compliance_rule_renewal_days_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_title} at {self.organisation}"

    def applies_to_role(self, role: str) -> bool:
        return not self.roles or role in self.roles


class Assignment(RequiredItem):
    """A course or pathway a member must complete for one organisation, by a due date.

    One per member, organisation and item; assigning again moves the due date. Rows stay
    when the member leaves (history), but only active members are shown or reminded.
    """

    class Source(models.TextChoices):
        RULE = "rule", _("Mandatory rule")
        MANAGER = "manager", _("Assigned by a manager")

    organisation = models.ForeignKey(
        "imh_organisations.Organisation", on_delete=models.CASCADE, related_name="assignments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="compliance_assignments"
    )
    rule = models.ForeignKey(
        MandatoryRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.RULE)
    due_on = models.DateField()
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    enrolment_problem = models.CharField(
        max_length=500,
        blank=True,
        help_text=_("Why no enrolment could be made yet (for example a missing prerequisite)."),
    )
    # The facts of the learning records that decide the status, copied from them by
    # ``imh_compliance.services.facts`` as they change (and checked every night). For a pathway:
    # completed when its last course was (all of them done), valid until its first course
    # runs out, started when any course is started or done.
    completed_on = models.DateField(null=True, blank=True, editable=False)
    valid_until = models.DateField(
        null=True, blank=True, editable=False, help_text=_("Empty when it never expires.")
    )
    started = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=_ONE_ITEM, name="compliance_assignment_one_item"),
            # Only something completed can be valid until a date.
            models.CheckConstraint(
                condition=Q(completed_on__isnull=False) | Q(valid_until__isnull=True),
                name="compliance_assignment_valid_when_completed",
            ),
            models.UniqueConstraint(
                fields=["organisation", "user", "course"],
                condition=Q(course__isnull=False),
                name="compliance_assignment_course_once",
                violation_error_message=_("This person is already assigned this course."),
            ),
            models.UniqueConstraint(
                fields=["organisation", "user", "pathway"],
                condition=Q(pathway__isnull=False),
                name="compliance_assignment_pathway_once",
                violation_error_message=_("This person is already assigned this pathway."),
            ),
            models.CheckConstraint(
                condition=Q(source__in=["rule", "manager"]),
                name="compliance_assignment_source_valid",
            ),
        ]
        indexes = [models.Index(fields=["user", "organisation"])]

    def __str__(self) -> str:
        return gettext("%(item)s for %(person)s (due %(date)s)") % {
            "item": self.item_title,
            "person": self.user,
            "date": f"{self.due_on:%Y-%m-%d}",
        }


class AccessEvent(models.Model):
    """The audit log: a manager looked at an individual's record, or exported the matrix.

    Names are copied in, so the log still reads after an account is erased; it is never
    edited. Platform administrators read it in the admin; managers read their organisation's.
    """

    class Action(models.TextChoices):
        VIEWED_RECORD = "viewed_record", _("Viewed a member's record")
        EXPORTED = "exported", _("Exported the compliance matrix")

    organisation = models.ForeignKey(
        "imh_organisations.Organisation", on_delete=models.CASCADE, related_name="access_events"
    )
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    viewer_name = models.CharField(max_length=255)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Whose record was viewed (empty for exports)."),
    )
    member_name = models.CharField(max_length=255, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["viewed_record", "exported"]),
                name="compliance_access_event_action_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "-created_at"]),
            models.Index(fields=["member", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.viewer_name}: {self.get_action_display()} ({self.created_at:%Y-%m-%d})"


class Reminder(models.Model):
    """A reminder email to a member about their mandatory training.

    Automatic ones (due soon, overdue) are sent once per assignment and due date, which the
    unique constraint guarantees even when two schedulers run at once.
    """

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due soon")
        OVERDUE = "overdue", _("Overdue")
        MANUAL = "manual", _("Sent by a manager")

    organisation = models.ForeignKey(
        "imh_organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="compliance_reminders"
    )
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    due_on = models.DateField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "kind", "due_on"],
                condition=Q(kind__in=["due_soon", "overdue"]),
                name="compliance_reminder_automatic_once",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["due_soon", "overdue", "manual"]),
                name="compliance_reminder_kind_valid",
            ),
        ]
        indexes = [models.Index(fields=["user", "organisation", "-sent_at"])]

    def __str__(self) -> str:
        return gettext("%(kind)s reminder to %(person)s (%(date)s)") % {
            "kind": self.get_kind_display(),
            "person": self.user,
            "date": f"{self.sent_at:%Y-%m-%d}",
        }


class Digest(models.Model):
    """The weekly summary sent to one manager of one organisation (once per week)."""

    organisation = models.ForeignKey(
        "imh_organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    week_starting = models.DateField(help_text=_("The Monday of the week it was sent for."))
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-week_starting"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "manager", "week_starting"],
                name="compliance_digest_once_a_week",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Digest for %(person)s (%(date)s)") % {
            "person": self.manager,
            "date": f"{self.week_starting:%Y-%m-%d}",
        }


class Report(models.Model):
    """A printable PDF of the compliance matrix, made in the background for inspection."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(
        "imh_organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="compliance_reports",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    filters = models.JSONField(default=dict, blank=True, help_text=_("The dashboard filters used."))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    pdf = models.FileField(
        upload_to="private/compliance-reports/", storage=private_storage, blank=True
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "ready", "failed"]),
                name="compliance_report_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Compliance report for %(organisation)s (%(date)s)") % {
            "organisation": self.organisation,
            "date": f"{self.created_at:%Y-%m-%d %H:%M}",
        }
