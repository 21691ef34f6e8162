"""What the apps' page layout needs from every request: which base template to extend, and
the site's name and support address.

A host site adds ``imh_core.context_processors.imh`` to its template context processors when
it sets ``IMH_BASE_TEMPLATE`` (a system check says so if it forgets).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from imh_core.conf import DEFAULTS, imh_setting
from imh_core.hooks import IMH_SITE_IDENTITY, hook_results
from imh_core.site import site_name

DEFAULT_BASE_TEMPLATE: str = DEFAULTS["IMH_BASE_TEMPLATE"]


def site_identity(request: HttpRequest) -> dict[str, str]:
    """The site's ``name`` and ``support_email`` as the apps' pages show them.

    Each comes from the first ``IMH_SITE_IDENTITY`` answer that gives it, else from Wagtail
    (the name of the request's site, then ``WAGTAIL_SITE_NAME``) and ``IMH_SUPPORT_EMAIL``.
    """
    identity = {"name": "", "support_email": ""}
    for answer in hook_results(IMH_SITE_IDENTITY, request):
        for key in identity:
            if not identity[key] and (answer or {}).get(key):
                identity[key] = str(answer[key])
    if not identity["name"]:
        from wagtail.models import Site

        site = Site.find_for_request(request)
        identity["name"] = (site.site_name if site else "") or site_name()
    if not identity["support_email"]:
        identity["support_email"] = imh_setting("SUPPORT_EMAIL") or ""
    return identity


def imh(request: HttpRequest) -> dict[str, Any]:
    """``imh_base_template`` and ``imh_load_nhsuk_assets`` for imh_core/layout.html, and
    ``imh_site`` (``name``, ``support_email``), looked up only when a page shows them."""
    base_template = imh_setting("BASE_TEMPLATE")
    return {
        "imh_base_template": base_template,
        # The built-in base loads the design system itself; a host's base may or may not.
        "imh_load_nhsuk_assets": base_template != DEFAULT_BASE_TEMPLATE
        and bool(imh_setting("LOAD_NHSUK_ASSETS")),
        "imh_site": SimpleLazyObject(lambda: site_identity(request)),
    }
