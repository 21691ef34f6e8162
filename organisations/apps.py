"""Employers (trusts, councils, nurseries), their staff memberships and managers."""

from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = "Organisations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.privacy import register_eraser, register_exporter
        from competencies.policies import register_observer_policy
        from courses.models import Booking
        from courses.signals import booking_awaiting_approval
        from organisations.privacy import user_data_erase, user_data_export
        from organisations.selectors import user_supervises_user, users_supervised_by
        from organisations.signals import booking_awaiting_approval_notify

        # A supervisor named in the trainee's organisation may record observations of practice.
        register_observer_policy(
            lambda *, observer, trainee: user_supervises_user(supervisor=observer, trainee=trainee),
            trainees=lambda *, observer: users_supervised_by(supervisor=observer),
            name="organisations.supervisor",
        )
        register_exporter("organisations", user_data_export)
        register_eraser("organisations", user_data_erase)
        booking_awaiting_approval.connect(
            booking_awaiting_approval_notify,
            sender=Booking,
            dispatch_uid="organisations.booking_awaiting_approval_notify",
        )
