"""Who this site is: its name in emails, and the issuer of certificates made without a template."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def site_name() -> str:
    """The site's name as emails and pages give it: Wagtail's ``WAGTAIL_SITE_NAME``."""
    return getattr(settings, "WAGTAIL_SITE_NAME", "") or ""


def site_issuer() -> dict[str, Any]:
    """Who issues certificates when nothing more specific says so: the default Wagtail
    site's name (Settings > Sites in the admin), else ``WAGTAIL_SITE_NAME``; no logo.

    Returns ``{"name": str, "logo": None}``, or ``{}`` when neither name is set.
    """
    from wagtail.models import Site

    site = Site.objects.filter(is_default_site=True).only("site_name").first()
    name = (site.site_name or "").strip() if site is not None else ""
    name = name or site_name().strip()
    return {"name": name, "logo": None} if name else {}
