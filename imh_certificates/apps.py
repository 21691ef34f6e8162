"""CPD certificates: issue, PDF rendering, verification, expiry, revocation and portfolio."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "imh_certificates"
    default_auto_field = "django.db.models.BigAutoField"
    # What the educators' group may do here (granted after migrate; see imh_core.roles).
    educator_permissions = (
        "add_certificatetemplate",
        "change_certificatetemplate",
        "view_certificatetemplate",
    )
    verbose_name = _("Certificates")
