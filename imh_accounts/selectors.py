"""Reads for accounts: a user's profile and everything the platform holds about them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from django.utils import timezone

from imh_accounts import privacy
from imh_accounts.models import Profile

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

EXPORT_FORMAT = "imh-learning-personal-data"
EXPORT_VERSION = 1


def profile_get(*, user: AbstractBaseUser) -> Profile | None:
    """The user's profile, or ``None`` if none has been created yet."""
    return Profile.objects.filter(user=user).first()


def _profile_data(profile: Profile | None) -> dict[str, Any] | None:
    if profile is None:
        return None
    return {
        "full_name": profile.full_name,
        "professional_role": profile.professional_role,
        "professional_role_label": profile.get_professional_role_display(),
        "registration_body": profile.registration_body,
        "registration_body_label": profile.get_registration_body_display(),
        "registration_number": profile.registration_number,
        "job_title": profile.job_title,
        "created_at": profile.created_at,
        "updated_at": profile.updated_at,
    }


def user_personal_data(*, user: AbstractBaseUser) -> dict[str, Any]:
    """Everything held about ``user``, for a subject access request or a self-service download.

    Account, email addresses and profile come from this app; ``sections`` holds one entry per
    exporter registered in :mod:`imh_accounts.privacy` (courses, certificates, organisations...),
    in name order. Values are JSON-safe apart from dates, which ``DjangoJSONEncoder`` writes.
    """
    email_addresses = EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "generated_at": timezone.now(),
        "account": {
            "username": user.get_username(),
            "email": getattr(user, "email", ""),
            "first_name": getattr(user, "first_name", ""),
            "last_name": getattr(user, "last_name", ""),
            "date_joined": getattr(user, "date_joined", None),
            "last_login": user.last_login,
            "is_active": user.is_active,
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in email_addresses
        ],
        "profile": _profile_data(profile_get(user=user)),
        "sections": {
            name: exporter(user) for name, exporter in sorted(privacy.exporters().items())
        },
    }
