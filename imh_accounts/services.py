"""Writes for accounts: creating and updating profiles, and deleting (pseudonymising) accounts.

Account deletion checks the current password here, in the service, rather than in the form:
the password is what authorises an irreversible change, so no caller (view, API, command)
can delete an account without it. Request-level concerns such as rate limiting stay in the
view.

Deletion pseudonymises instead of removing the user row, so that records other apps must keep
(issued certificates, which employers verify) still point at a valid user. In one transaction
it:

1. calls every eraser registered in :mod:`imh_accounts.privacy`, first, while the user still has
   their email address so apps can find records keyed by it;
2. removes the user's allauth email addresses;
3. replaces username and email with ``deleted-<random>`` / ``deleted-<random>@invalid``,
   clears the names, sets an unusable password, deactivates the user and removes staff rights,
   groups and permissions;
4. empties the profile and sets ``deleted_at``;
5. removes the Wagtail admin preferences and avatar, if Wagtail's users app is installed.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from imh_accounts import privacy
from imh_accounts.models import Profile

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

MESSAGE_FULL_NAME_REQUIRED = _("Enter your full name")
MESSAGE_ROLE_REQUIRED = _("Select your professional role")
MESSAGE_WRONG_PASSWORD = _("The password is not correct")
MESSAGE_ACCOUNT_DELETED = _("This account has been deleted")


def profile_get_or_create(*, user: AbstractBaseUser) -> Profile:
    """The user's profile, created empty (name taken from the user, if any) when missing.

    Called when someone signs up, and by the account pages for users created another way
    (the Wagtail admin, ``createsuperuser``, imports).
    """
    profile, _created = Profile.objects.get_or_create(
        user=user,
        defaults={"full_name": " ".join(user.get_full_name().split())[:150]},
    )
    return profile


@transaction.atomic
def profile_update(
    *,
    user: AbstractBaseUser,
    full_name: str,
    professional_role: str,
    registration_body: str = "",
    registration_number: str = "",
    job_title: str = "",
) -> Profile:
    """Save the user's profile details; raises ``ValidationError`` keyed by field name."""
    profile_get_or_create(user=user)
    profile = Profile.objects.select_for_update().get(user=user)
    if profile.is_deleted:
        raise ValidationError(MESSAGE_ACCOUNT_DELETED)
    errors: dict[str, str] = {}
    if not (full_name or "").strip():
        errors["full_name"] = MESSAGE_FULL_NAME_REQUIRED
    if not professional_role:
        errors["professional_role"] = MESSAGE_ROLE_REQUIRED
    if errors:
        raise ValidationError(errors)
    profile.full_name = full_name
    profile.professional_role = professional_role
    profile.registration_body = registration_body or ""
    profile.registration_number = registration_number or ""
    profile.job_title = job_title or ""
    profile.full_clean()  # normalises the name and number, and checks the registration rules
    profile.save()
    return profile


def account_delete(*, user: AbstractBaseUser, password: str) -> None:
    """Pseudonymise the account after checking ``password``; see the module docstring.

    Raises ``ValidationError({"password": ...})`` and changes nothing when the password is
    wrong. Any exception from an eraser rolls the whole deletion back.
    """
    user_model = get_user_model()
    with transaction.atomic():
        locked = user_model._default_manager.select_for_update().get(pk=user.pk)
        if not locked.is_active:
            raise ValidationError(MESSAGE_ACCOUNT_DELETED)
        if not password or not locked.check_password(password):
            raise ValidationError({"password": MESSAGE_WRONG_PASSWORD})

        for _name, eraser in sorted(privacy.erasers().items()):
            eraser(locked)

        EmailAddress.objects.filter(user=locked).delete()

        pseudonym = f"deleted-{secrets.token_hex(12)}"
        setattr(locked, user_model.USERNAME_FIELD, pseudonym)
        locked.email = f"{pseudonym}@invalid"
        locked.first_name = ""
        locked.last_name = ""
        locked.set_unusable_password()
        locked.is_active = False
        locked.is_staff = False
        locked.is_superuser = False
        locked.save()
        locked.groups.clear()
        locked.user_permissions.clear()

        profile_get_or_create(user=locked)
        profile = Profile.objects.select_for_update().get(user=locked)
        profile.full_name = ""
        profile.professional_role = ""
        profile.registration_body = ""
        profile.registration_number = ""
        profile.job_title = ""
        profile.deleted_at = timezone.now()
        profile.full_clean()
        profile.save()

        _wagtail_user_profile_delete(user=locked)
    user.refresh_from_db()


def _wagtail_user_profile_delete(*, user: AbstractBaseUser) -> None:
    """Wagtail keeps admin preferences and an avatar photo per user; both are personal."""
    if not apps.is_installed("wagtail.users"):
        return
    from wagtail.users.models import UserProfile

    for wagtail_profile in UserProfile.objects.filter(user=user):
        if wagtail_profile.avatar:
            # The file goes only once the transaction commits, so a rollback keeps it.
            avatar = wagtail_profile.avatar
            transaction.on_commit(lambda avatar=avatar: avatar.delete(save=False))
        wagtail_profile.delete()
