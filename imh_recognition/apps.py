"""The recognition register: practitioners apply for recognition at a framework level,
assessors decide, and the public register lists those who agree to be listed."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    name = "imh_recognition"
    verbose_name = _("Recognition register")
    default_auto_field = "django.db.models.BigAutoField"
