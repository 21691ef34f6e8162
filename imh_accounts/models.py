"""A person's profile: the name printed on certificates and their professional registration."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from imh_accounts.choices import NMC_ONLY_ROLES, ProfessionalRole, RegistrationBody
from imh_accounts.validators import (
    REGISTRATION_NUMBER_PATTERNS,
    normalise_registration_number,
    registration_errors,
)

FULL_NAME_MAX_LENGTH = 150


def _registration_format_condition() -> Q:
    condition = Q(registration_number="")
    for body, pattern in REGISTRATION_NUMBER_PATTERNS.items():
        condition |= Q(registration_body=body, registration_number__regex=pattern)
    return condition


class Profile(models.Model):
    """One per user: who they are professionally, and the name their certificates carry."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
    )
    full_name = models.CharField(
        _("full name"),
        max_length=FULL_NAME_MAX_LENGTH,
        blank=True,
        help_text=_("Your name as it should appear on your certificates."),
        error_messages={
            "max_length": format_lazy(
                _("Full name must be {limit} characters or fewer"), limit=FULL_NAME_MAX_LENGTH
            ),
        },
    )
    professional_role = models.CharField(
        _("professional role"), max_length=40, choices=ProfessionalRole.choices, blank=True
    )
    registration_body = models.CharField(
        _("registration body"), max_length=10, choices=RegistrationBody.choices, blank=True
    )
    registration_number = models.CharField(
        _("registration number"),
        max_length=20,
        blank=True,
        error_messages={"max_length": _("Registration number must be 20 characters or fewer")},
    )
    job_title = models.CharField(
        _("job title"),
        max_length=150,
        blank=True,
        error_messages={"max_length": _("Job title must be 150 characters or fewer")},
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the account is deleted: the row stays so other records keep a valid user,
    # but every personal field is empty (enforced below).
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.CheckConstraint(
                name="accounts_profile_role_valid",
                condition=Q(professional_role__in=["", *ProfessionalRole.values]),
                violation_error_message=_("Select a professional role from the list"),
            ),
            models.CheckConstraint(
                name="accounts_profile_body_valid",
                condition=Q(registration_body__in=["", *RegistrationBody.values]),
                violation_error_message=_("Select a registration body from the list"),
            ),
            models.CheckConstraint(
                name="accounts_profile_registration_pair",
                condition=(
                    (Q(registration_body="") & Q(registration_number=""))
                    | (~Q(registration_body="") & ~Q(registration_number=""))
                ),
                violation_error_message=_(
                    "A registration number needs a registration body, and a body needs a number"
                ),
            ),
            models.CheckConstraint(
                name="accounts_profile_nmc_roles",
                condition=(
                    ~Q(professional_role__in=sorted(NMC_ONLY_ROLES))
                    | Q(registration_number="")
                    | Q(registration_body=RegistrationBody.NMC)
                ),
                violation_error_message=_(
                    "Midwives, student midwives and health visitors must give an NMC PIN"
                ),
            ),
            models.CheckConstraint(
                name="accounts_profile_registration_format",
                condition=_registration_format_condition(),
                violation_error_message=_("The registration number is not in the right format"),
            ),
            models.CheckConstraint(
                name="accounts_profile_deleted_is_empty",
                condition=(
                    Q(deleted_at__isnull=True)
                    | Q(
                        full_name="",
                        professional_role="",
                        registration_body="",
                        registration_number="",
                        job_title="",
                    )
                ),
                violation_error_message="A deleted profile must hold no personal details",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or f"Profile {self.pk}"

    @property
    def is_complete(self) -> bool:
        """Enough to issue a certificate: a name to print and a professional role."""
        return bool(self.full_name.strip() and self.professional_role)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def clean(self) -> None:
        self.full_name = " ".join(self.full_name.split())
        self.job_title = " ".join(self.job_title.split())
        self.registration_number = normalise_registration_number(self.registration_number)
        errors = registration_errors(
            role=self.professional_role,
            body=self.registration_body,
            number=self.registration_number,
        )
        if errors:
            raise ValidationError(errors)
