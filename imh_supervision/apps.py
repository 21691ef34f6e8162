"""Reflective supervision: supervisor and supervisee pairs, one-to-one and group sessions
confirmed by both, and hours that count."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "imh_supervision"
    # What the educators' group may do here (granted after migrate; see imh_core.roles).
    educator_permissions = (
        "add_supervisionpair",
        "change_supervisionpair",
        "view_supervisionpair",
        "view_supervisionsession",
    )
    verbose_name = _("Reflective supervision")
    default_auto_field = "django.db.models.BigAutoField"
