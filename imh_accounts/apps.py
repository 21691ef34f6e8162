"""Trainee and staff accounts: profile, professional registration, privacy rights."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "imh_accounts"
    verbose_name = _("Accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allauth.account.signals import user_signed_up

        from imh_accounts import signals

        user_signed_up.connect(
            signals.profile_create_on_signup,
            dispatch_uid="imh_accounts.profile_create_on_signup",
        )
