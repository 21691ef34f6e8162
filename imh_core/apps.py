"""The shared layer under every IMH Learning app."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ImhCoreConfig(AppConfig):
    name = "imh_core"
    label = "imh_core"
    verbose_name = _("IMH Learning core")
    default_auto_field = "django.db.models.BigAutoField"
    # Educators reach the Wagtail admin; page and collection permissions are the site's call.
    educator_permissions = ("wagtailadmin.access_admin",)

    def ready(self) -> None:
        from django.core import checks as django_checks

        from imh_core import checks, roles
        from imh_core.signals import task_finished_forget_email
        from imh_core.tasks import task_finished

        post_migrate.connect(roles.educator_permissions_grant, dispatch_uid="imh_core.educators")
        django_checks.register(checks.base_template_check, django_checks.Tags.templates)
        django_checks.register(checks.companion_apps_check)
        task_finished.connect(task_finished_forget_email, dispatch_uid="imh_core.forget_email")
