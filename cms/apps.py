"""The reference site: settings, URLs, base templates, home and standard pages, demo data."""

from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Site"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from django_tasks_db.compat import task_finished
        from wagtail.models import Site

        from cms.models import SiteSettings
        from cms.privacy import user_data_erase
        from cms.signals import task_finished_forget_email
        from imh_accounts.privacy import register_eraser
        from imh_certificates.policies import register_issuer_default

        register_issuer_default(_site_issuer)
        register_eraser("cms-queued-emails", user_data_erase)
        task_finished.connect(task_finished_forget_email, dispatch_uid="cms.forget_email")

        for model in (SiteSettings, Site):
            post_save.connect(_forget_chrome, sender=model, dispatch_uid=f"chrome-{model.__name__}")
            post_delete.connect(
                _forget_chrome, sender=model, dispatch_uid=f"chrome-del-{model.__name__}"
            )


def _forget_chrome(**kwargs) -> None:
    from cms.context_processors import chrome_forget

    chrome_forget()


def _site_issuer() -> dict:
    """Certificates issued without a template carry the default site's name and logo."""
    from wagtail.models import Site

    from cms.models import SiteSettings

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return {}
    settings = SiteSettings.for_site(site)
    return {"name": settings.platform_name, "logo": settings.logo}
