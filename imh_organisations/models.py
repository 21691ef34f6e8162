"""Employers, the people who belong to them (staff and managers) and invitations to join."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Lower
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from imh_core.people import person_name

# Letters and digits that cannot be mistaken for one another when read aloud or copied from
# a poster: no 0/O, 1/I/L.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8
JOIN_CODE_LIFETIME = timedelta(days=30)
INVITATION_LIFETIME = timedelta(days=14)

ORGANISATION_NAME_MAX_LENGTH = 200

ods_code_validator = RegexValidator(
    regex=r"^[A-Z0-9]{3,10}$",
    message=_("Enter an ODS code of 3 to 10 capital letters and numbers, like RX1 or 8HK49."),
    code="invalid_ods_code",
)
join_code_validator = RegexValidator(
    regex=rf"^[{JOIN_CODE_ALPHABET}]{{{JOIN_CODE_LENGTH}}}$",
    message=format_lazy(
        _("A join code is {length} characters from {alphabet} (no 0, O, 1, I or L)."),
        length=JOIN_CODE_LENGTH,
        alphabet=JOIN_CODE_ALPHABET,
    ),
    code="invalid_join_code",
)


def join_code_generate() -> str:
    """A fresh random join code; uniqueness is checked by the caller and the database."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def join_code_default_expiry() -> datetime:
    return timezone.now() + JOIN_CODE_LIFETIME


def invitation_token_generate() -> str:
    return secrets.token_urlsafe(32)


def invitation_default_expiry() -> datetime:
    return timezone.now() + INVITATION_LIFETIME


class OrganisationType(models.TextChoices):
    NHS_TRUST = "nhs_trust", _("NHS trust")
    LOCAL_AUTHORITY = "local_authority", _("Local authority")
    NURSERY = "nursery", _("Nursery")
    CHILDRENS_CENTRE = "childrens_centre", _("Children's centre")
    CHARITY = "charity", _("Charity")
    PRIVATE_PROVIDER = "private_provider", _("Private provider")
    UNIVERSITY = "university", _("University")


class MembershipRole(models.TextChoices):
    STAFF = "staff", _("Staff")
    MANAGER = "manager", _("Manager")

    @property
    def phrase(self) -> str:
        """The role in a sentence: "You are now a manager"."""
        if self == MembershipRole.MANAGER:
            return pgettext("role in a sentence: you are now ...", "a manager")
        return pgettext("role in a sentence: you are now ...", "a member of staff")


class MembershipStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    ACTIVE = "active", _("Active")
    DECLINED = "declined", _("Declined")
    LEFT = "left", _("Left")


class MembershipSource(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    JOIN_CODE = "join_code", _("Join code")
    ADMIN = "admin", _("Added by an administrator")


class Organisation(models.Model):
    """An employer whose staff train on the platform: a trust, council, nursery and so on."""

    Type = OrganisationType

    name = models.CharField(
        max_length=ORGANISATION_NAME_MAX_LENGTH,
        error_messages={
            "max_length": format_lazy(
                _("Enter an organisation name of {count} characters or fewer."),
                count=ORGANISATION_NAME_MAX_LENGTH,
            ),
            "blank": _("Enter the organisation's name."),
        },
    )
    slug = models.SlugField(max_length=220, unique=True)
    organisation_type = models.CharField(
        _("type of organisation"), max_length=32, choices=Type.choices
    )
    ods_code = models.CharField(
        _("ODS code"),
        max_length=10,
        blank=True,
        default="",
        validators=[ods_code_validator],
        help_text=_("The NHS Organisation Data Service code, if it has one (for example RX1)."),
    )
    join_code = models.CharField(
        max_length=JOIN_CODE_LENGTH,
        unique=True,
        default=join_code_generate,
        validators=[join_code_validator],
        editable=False,
    )
    join_code_expires_at = models.DateTimeField(default=join_code_default_expiry)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive organisations keep their records but cannot be joined."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ods_code"],
                condition=~Q(ods_code=""),
                name="organisations_organisation_ods_code_unique",
                violation_error_message=_("Another organisation already has this ODS code."),
            ),
            models.CheckConstraint(
                condition=Q(ods_code="")
                | (
                    GreaterThanOrEqual(Length("ods_code"), 3)
                    & LessThanOrEqual(Length("ods_code"), 10)
                ),
                name="organisations_organisation_ods_code_length",
            ),
            models.CheckConstraint(
                condition=Exact(Length("join_code"), JOIN_CODE_LENGTH),
                name="organisations_organisation_join_code_length",
            ),
            models.CheckConstraint(
                condition=~Q(name=""), name="organisations_organisation_name_not_blank"
            ),
            models.CheckConstraint(
                condition=Q(organisation_type__in=OrganisationType.values),
                name="organisations_organisation_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def join_code_display(self) -> str:
        """The code split in two halves, as people read and type it: ABCD-2345."""
        half = JOIN_CODE_LENGTH // 2
        return f"{self.join_code[:half]}-{self.join_code[half:]}"

    @property
    def join_code_is_expired(self) -> bool:
        return self.join_code_expires_at <= timezone.now()


class _OrganisationGroup(models.Model):
    """A named part of an organisation that members are placed in (a team or a site)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(
        max_length=120,
        error_messages={
            "blank": _("Enter a name."),
            "max_length": _("Enter a name of 120 characters or fewer."),
        },
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(_OrganisationGroup):
    """A team within an organisation, such as "Health visiting - North"."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")

    class Meta(_OrganisationGroup.Meta):
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "organisation",
                name="organisations_team_name_unique",
                violation_error_message=_("This organisation already has a team with this name."),
            ),
            models.CheckConstraint(condition=~Q(name=""), name="organisations_team_name_not_blank"),
        ]


class Site(_OrganisationGroup):
    """A place an organisation works from, such as a hospital, clinic or nursery setting."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="sites")

    class Meta(_OrganisationGroup.Meta):
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "organisation",
                name="organisations_site_name_unique",
                violation_error_message=_("This organisation already has a site with this name."),
            ),
            models.CheckConstraint(condition=~Q(name=""), name="organisations_site_name_not_blank"),
        ]


class Membership(models.Model):
    """A person's place in an organisation, from request or invitation to leaving.

    Rows are never deleted when someone leaves, so the history of who belonged where stays.
    """

    Role = MembershipRole
    Status = MembershipStatus
    Source = MembershipSource

    # A membership is "current" while it is waiting for approval or active.
    CURRENT_STATUSES = (Status.PENDING, Status.ACTIVE)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="organisation_memberships",
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STAFF)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    source = models.CharField(
        _("how it started"), max_length=16, choices=Source.choices, default=Source.ADMIN
    )
    is_supervisor = models.BooleanField(
        _("supervisor"),
        default=False,
        help_text=_(
            "Supervisors may record observations of practice for the organisation's staff."
        ),
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="memberships"
    )
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="memberships"
    )
    shares_competency_profile = models.BooleanField(
        _("shares competency profile"),
        default=False,
        help_text=_(
            "The member agrees that this organisation's managers may see their competency "
            "profile. Only the member can change it."
        ),
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who ended it: the person themself, a manager or an administrator."),
    )

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=Q(status__in=[MembershipStatus.PENDING, MembershipStatus.ACTIVE]),
                name="organisations_membership_one_current",
                violation_error_message=_(
                    "This person already has a current membership of this organisation."
                ),
            ),
            models.CheckConstraint(
                condition=Q(role__in=MembershipRole.values),
                name="organisations_membership_role_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=MembershipStatus.values),
                name="organisations_membership_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(source__in=MembershipSource.values),
                name="organisations_membership_source_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "role"]),
            models.Index(fields=["user", "status"]),
        ]

    def __str__(self) -> str:
        return gettext("%(person)s at %(organisation)s") % {
            "person": person_name(self.user),
            "organisation": self.organisation,
        }

    def clean(self) -> None:
        errors = {}
        if self.team_id is not None and self.team.organisation_id != self.organisation_id:
            errors["team"] = gettext("Choose a team of this organisation.")
        if self.site_id is not None and self.site.organisation_id != self.organisation_id:
            errors["site"] = gettext("Choose a site of this organisation.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_current(self) -> bool:
        return self.status in self.CURRENT_STATUSES

    @property
    def is_active_manager(self) -> bool:
        return self.status == self.Status.ACTIVE and self.role == self.Role.MANAGER


class Invitation(models.Model):
    """An emailed link that makes its (verified) recipient a member when they accept it."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        EXPIRED = "expired", _("Expired")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Withdrawn")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(
        _("email address"),
        max_length=254,
        error_messages={
            "blank": _("Enter an email address."),
            "invalid": _("Enter an email address in the correct format, like name@example.com."),
        },
    )
    role = models.CharField(
        max_length=16, choices=MembershipRole.choices, default=MembershipRole.STAFF
    )
    token = models.CharField(
        max_length=64, unique=True, default=invitation_token_generate, editable=False
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=invitation_default_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "organisation",
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="organisations_invitation_one_open_per_email",
                violation_error_message=_(
                    "There is already an open invitation for this email address."
                ),
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="organisations_invitation_not_accepted_and_revoked",
            ),
            models.CheckConstraint(
                condition=Q(role__in=MembershipRole.values),
                name="organisations_invitation_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(email)s to %(organisation)s") % {
            "email": self.email,
            "organisation": self.organisation,
        }

    @property
    def state(self) -> str:
        if self.accepted_at is not None:
            return self.State.ACCEPTED
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.OPEN

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN
