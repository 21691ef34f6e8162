"""Employers' mandatory training: rules, assignments, the compliance dashboard, reminders."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "imh_compliance"
    verbose_name = _("Compliance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from imh_compliance.receivers import membership_activated_assign
        from imh_organisations.events import membership_activated
        from imh_organisations.models import Membership

        # New members are assigned their organisation's mandatory training as they join.
        membership_activated.connect(
            membership_activated_assign,
            sender=Membership,
            dispatch_uid="imh_compliance.membership_activated_assign",
        )
        self._connect_fact_receivers()

    @staticmethod
    def _connect_fact_receivers() -> None:
        """Keep assignments' learning facts in step with the records they are copied from."""
        from django.db.models.signals import post_delete, post_save

        from imh_compliance import receivers
        from imh_compliance.models import Assignment
        from imh_courses.models import CourseCompletion, Enrolment, PathwayCourse
        from imh_courses.signals import enrolment_started

        for signal, name in ((post_save, "saved"), (post_delete, "deleted")):
            signal.connect(
                receivers.completion_changed_refresh_facts,
                sender=CourseCompletion,
                dispatch_uid=f"imh_compliance.facts.completion_{name}",
            )
            signal.connect(
                receivers.enrolment_changed_refresh_facts,
                sender=Enrolment,
                dispatch_uid=f"imh_compliance.facts.enrolment_{name}",
            )
            signal.connect(
                receivers.pathway_course_changed_refresh_facts,
                sender=PathwayCourse,
                dispatch_uid=f"imh_compliance.facts.pathway_course_{name}",
            )
        enrolment_started.connect(
            receivers.enrolment_started_refresh_facts,
            sender=Enrolment,
            dispatch_uid="imh_compliance.facts.enrolment_started",
        )
        post_save.connect(
            receivers.assignment_saved_refresh_facts,
            sender=Assignment,
            dispatch_uid="imh_compliance.facts.assignment_saved",
        )
