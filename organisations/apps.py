"""Employers (trusts, councils, nurseries), their staff memberships and managers."""

from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = "Organisations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from accounts.privacy import register_eraser, register_exporter
        from certificates.policies import (
            register_is_manager_policy,
            register_manager_policy,
            register_managers_lookup,
        )
        from competencies.policies import register_observer_policy
        from courses.models import Booking
        from courses.signals import booking_awaiting_approval
        from organisations.privacy import user_data_erase, user_data_export
        from organisations.selectors import (
            manager_user_ids_for,
            organisations_managed_by,
            user_manages_user,
            user_supervises_user,
            users_supervised_by,
        )
        from organisations.signals import booking_awaiting_approval_notify

        # A supervisor named in the trainee's organisation may record observations of practice.
        register_observer_policy(
            lambda *, observer, trainee: user_supervises_user(supervisor=observer, trainee=trainee),
            trainees=lambda *, observer: users_supervised_by(supervisor=observer),
            name="organisations.supervisor",
        )
        # Managers of an organisation the holder belongs to may download their certificates.
        register_manager_policy(
            lambda user, holder: user_manages_user(manager=user, member=holder),
            name="organisations.manager",
        )
        # Managers of any organisation may check many certificate codes at once.
        register_is_manager_policy(
            lambda user: organisations_managed_by(user=user).exists(),
            name="organisations.manager",
        )
        # They also hear when a holder's certificate is about to expire.
        register_managers_lookup(
            lambda holder: list(
                get_user_model().objects.filter(
                    pk__in=manager_user_ids_for(user=holder), is_active=True
                )
            ),
            name="organisations.managers",
        )
        register_exporter("organisations", user_data_export)
        register_eraser("organisations", user_data_erase)
        booking_awaiting_approval.connect(
            booking_awaiting_approval_notify,
            sender=Booking,
            dispatch_uid="organisations.booking_awaiting_approval_notify",
        )
