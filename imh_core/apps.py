"""The shared layer under every IMH Learning app."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ImhCoreConfig(AppConfig):
    name = "imh_core"
    label = "imh_core"
    verbose_name = "IMH Learning core"
    default_auto_field = "django.db.models.BigAutoField"
    # Educators reach the Wagtail admin; page and collection permissions are the site's call.
    educator_permissions = ("wagtailadmin.access_admin",)

    def ready(self) -> None:
        from imh_core import roles

        post_migrate.connect(roles.educator_permissions_grant, dispatch_uid="imh_core.educators")
