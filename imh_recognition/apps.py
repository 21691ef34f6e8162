"""The recognition register: practitioners apply for recognition at a framework level,
assessors decide, and the public register lists those who agree to be listed."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    name = "imh_recognition"
    verbose_name = _("Recognition register")
    default_auto_field = "django.db.models.BigAutoField"
    # Educators set up schemes and can see who holds recognition (see imh_core.roles).
    educator_permissions = (
        "add_scheme",
        "change_scheme",
        "view_scheme",
        "view_recognition",
    )

    def ready(self) -> None:
        from imh_recognition import roles

        post_migrate.connect(
            roles.assessor_permissions_grant, dispatch_uid="imh_recognition.assessors"
        )
