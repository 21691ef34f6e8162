"""The reference site: settings, URLs, base templates, home and standard pages, demo data."""

from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Site"
