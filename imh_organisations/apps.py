"""Employers (trusts, councils, nurseries), their staff memberships and managers."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "imh_organisations"
    verbose_name = _("Organisations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from imh_courses.models import Booking
        from imh_courses.signals import booking_awaiting_approval
        from imh_organisations.signals import booking_awaiting_approval_notify

        booking_awaiting_approval.connect(
            booking_awaiting_approval_notify,
            sender=Booking,
            dispatch_uid="imh_organisations.booking_awaiting_approval_notify",
        )
