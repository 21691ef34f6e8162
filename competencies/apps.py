"""Competency frameworks, mappings and the evidence every achievement leaves."""

from django.apps import AppConfig


class CompetenciesConfig(AppConfig):
    name = "competencies"
    verbose_name = "Competencies"
    default_auto_field = "django.db.models.BigAutoField"
