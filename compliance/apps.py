"""Employers' mandatory training: rules, assignments, the compliance dashboard, reminders."""

from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Compliance"
    default_auto_field = "django.db.models.BigAutoField"
