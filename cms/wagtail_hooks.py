"""What the reference site tells the apps through their hooks: who issues certificates, and
the name and support address its pages give."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from wagtail import hooks

from imh_core.hooks import IMH_CERTIFICATE_ISSUER, IMH_SITE_IDENTITY


@hooks.register(IMH_CERTIFICATE_ISSUER)
def site_certificate_issuer() -> dict[str, Any]:
    """Certificates issued without a template carry the default site's name and logo."""
    from wagtail.models import Site

    from cms.models import SiteSettings

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return {}
    settings = SiteSettings.for_site(site)
    return {"name": settings.platform_name, "logo": settings.logo}


@hooks.register(IMH_SITE_IDENTITY)
def site_identity(request: HttpRequest) -> dict[str, str]:
    """The apps' pages name the site and its support address as the site settings do."""
    from cms.context_processors import site_identity

    return site_identity(request)
