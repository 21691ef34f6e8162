"""Trainee and staff accounts: profile, professional registration, privacy rights."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"
