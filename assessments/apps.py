"""Competency frameworks, quizzes, H5P activities with xAPI, observations and evidence."""

from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Competencies and assessments"

    def ready(self) -> None:
        from django.db.models.signals import post_delete
        from wagtail.models import Page
        from wagtail.signals import page_published, page_unpublished

        from assessments import signals

        # Placements follow what is published (assessments.services.placements).
        page_published.connect(
            signals.placements_sync_on_publish, dispatch_uid="assessments.placements_publish"
        )
        page_unpublished.connect(
            signals.placements_clear_on_unpublish, dispatch_uid="assessments.placements_unpublish"
        )
        post_delete.connect(
            signals.placements_clear_on_unpublish,
            sender=Page,
            dispatch_uid="assessments.placements_delete",
        )
