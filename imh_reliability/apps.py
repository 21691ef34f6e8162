"""Observation-scale reliability training: scales, private clips rated item by item,
agreement with expert codes, and results that expire."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReliabilityConfig(AppConfig):
    name = "imh_reliability"
    verbose_name = _("Observation reliability")
    default_auto_field = "django.db.models.BigAutoField"
    # What the educators' group may do here (granted after migrate; see imh_core.roles).
    educator_permissions = (
        "add_scale",
        "change_scale",
        "view_scale",
        "add_scaleitem",
        "change_scaleitem",
        "delete_scaleitem",
        "view_scaleitem",
        "add_clip",
        "change_clip",
        "view_clip",
        "add_reliabilitytest",
        "change_reliabilitytest",
        "view_reliabilitytest",
        "view_clipview",
    )
