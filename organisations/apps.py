"""Employers (trusts, councils, nurseries), their staff memberships and managers."""

from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = "Organisations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.privacy import register_eraser, register_exporter
        from courses.models import Booking
        from courses.signals import booking_awaiting_approval
        from organisations.privacy import user_data_erase, user_data_export
        from organisations.signals import booking_awaiting_approval_notify

        register_exporter("organisations", user_data_export)
        register_eraser("organisations", user_data_erase)
        booking_awaiting_approval.connect(
            booking_awaiting_approval_notify,
            sender=Booking,
            dispatch_uid="organisations.booking_awaiting_approval_notify",
        )
