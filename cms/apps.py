"""The reference site: settings, URLs, base templates, home and standard pages, demo data."""

from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Site"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Site

        from cms.models import SiteSettings

        for model in (SiteSettings, Site):
            post_save.connect(_forget_chrome, sender=model, dispatch_uid=f"chrome-{model.__name__}")
            post_delete.connect(
                _forget_chrome, sender=model, dispatch_uid=f"chrome-del-{model.__name__}"
            )


def _forget_chrome(**kwargs) -> None:
    from cms.context_processors import chrome_forget

    chrome_forget()
