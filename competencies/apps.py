"""Competency frameworks, mappings and the evidence every achievement leaves."""

from django.apps import AppConfig


class CompetenciesConfig(AppConfig):
    name = "competencies"
    verbose_name = "Competencies"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.privacy import register_eraser, register_exporter
        from competencies.selectors import competency_data_export_for_user
        from competencies.services import competency_data_erase_for_user

        register_exporter("competencies", competency_data_export_for_user)
        register_eraser("competencies", lambda user: competency_data_erase_for_user(user=user))
