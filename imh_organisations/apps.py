"""Employers (trusts, councils, nurseries), their staff memberships and managers."""

from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "imh_organisations"
    verbose_name = "Organisations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from imh_accounts.privacy import register_eraser, register_exporter
        from imh_certificates.policies import (
            register_is_manager_policy,
            register_manager_policy,
            register_managers_lookup,
        )
        from imh_competencies.policies import register_observer_policy
        from imh_courses.models import Booking
        from imh_courses.signals import booking_awaiting_approval
        from imh_organisations.privacy import user_data_erase, user_data_export
        from imh_organisations.selectors import (
            manager_user_ids_for,
            organisations_managed_by,
            user_manages_user,
            user_supervises_user,
            users_supervised_by,
        )
        from imh_organisations.signals import booking_awaiting_approval_notify

        # A supervisor named in the trainee's organisation may record observations of practice.
        register_observer_policy(
            lambda *, observer, trainee: user_supervises_user(supervisor=observer, trainee=trainee),
            trainees=lambda *, observer: users_supervised_by(supervisor=observer),
            name="imh_organisations.supervisor",
        )
        # Managers of an organisation the holder belongs to may download their certificates.
        register_manager_policy(
            lambda user, holder: user_manages_user(manager=user, member=holder),
            name="imh_organisations.manager",
        )
        # Managers of any organisation may check many certificate codes at once.
        register_is_manager_policy(
            lambda user: organisations_managed_by(user=user).exists(),
            name="imh_organisations.manager",
        )
        # They also hear when a holder's certificate is about to expire.
        register_managers_lookup(
            lambda holder: list(
                get_user_model().objects.filter(
                    pk__in=manager_user_ids_for(user=holder), is_active=True
                )
            ),
            name="imh_organisations.managers",
        )
        register_exporter("organisations", user_data_export)
        register_eraser("organisations", user_data_erase)
        booking_awaiting_approval.connect(
            booking_awaiting_approval_notify,
            sender=Booking,
            dispatch_uid="imh_organisations.booking_awaiting_approval_notify",
        )
