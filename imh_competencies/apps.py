"""Competency frameworks, mappings and the evidence every achievement leaves."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetenciesConfig(AppConfig):
    name = "imh_competencies"
    # What the educators' group may do here (granted after migrate; see imh_core.roles).
    educator_permissions = (
        "add_observation",
        "view_observation",
        "change_externallearning",
        "view_externallearning",
        "add_framework",
        "change_framework",
        "view_framework",
        "add_area",
        "change_area",
        "view_area",
        "add_competency",
        "change_competency",
        "view_competency",
        "add_crosswalk",
        "change_crosswalk",
        "delete_crosswalk",
        "view_crosswalk",
        "add_externalprogramme",
        "change_externalprogramme",
        "view_externalprogramme",
        "review_externalprogramme",
    )
    verbose_name = _("Competencies")
    default_auto_field = "django.db.models.BigAutoField"
