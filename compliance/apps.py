"""Employers' mandatory training: rules, assignments, the compliance dashboard, reminders."""

from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Compliance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.privacy import register_eraser, register_exporter
        from compliance.privacy import user_data_erase, user_data_export
        from compliance.receivers import membership_activated_assign
        from organisations.events import membership_activated
        from organisations.models import Membership

        # New members are assigned their organisation's mandatory training as they join.
        membership_activated.connect(
            membership_activated_assign,
            sender=Membership,
            dispatch_uid="compliance.membership_activated_assign",
        )
        register_exporter("compliance", user_data_export)
        register_eraser("compliance", user_data_erase)
