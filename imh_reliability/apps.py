"""Observation-scale reliability training: scales, private clips rated item by item,
agreement with expert codes, and results that expire."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReliabilityConfig(AppConfig):
    name = "imh_reliability"
    verbose_name = _("Observation reliability")
    default_auto_field = "django.db.models.BigAutoField"
