"""Competency frameworks, quizzes, H5P activities with xAPI, observations and evidence."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "imh_assessments"
    default_auto_field = "django.db.models.BigAutoField"
    # What the educators' group may do here (granted after migrate; see imh_core.roles).
    educator_permissions = (
        "add_question",
        "change_question",
        "delete_question",
        "view_question",
        "add_quiz",
        "change_quiz",
        "delete_quiz",
        "view_quiz",
        "view_quizattempt",
        "view_quizanswer",
        "mark_quizanswer",
        "add_h5pactivity",
        "change_h5pactivity",
        "delete_h5pactivity",
        "view_h5pactivity",
        "view_h5plibrary",
    )
    verbose_name = _("Competencies and assessments")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Page
        from wagtail.signals import page_published, page_unpublished

        from imh_assessments import signals

        # Placements follow what is published (imh_assessments.services.placements).
        page_published.connect(
            signals.placements_sync_on_publish, dispatch_uid="imh_assessments.placements_publish"
        )
        page_unpublished.connect(
            signals.placements_clear_on_unpublish,
            dispatch_uid="imh_assessments.placements_unpublish",
        )
        post_delete.connect(
            signals.placements_clear_on_unpublish,
            sender=Page,
            dispatch_uid="imh_assessments.placements_delete",
        )
        # A passed reliability test completes the lessons it gates, like a passed quiz.
        post_save.connect(
            signals.activity_passed_on_reliability_pass,
            sender="imh_reliability.Attempt",
            dispatch_uid="imh_assessments.reliability_passed",
        )
