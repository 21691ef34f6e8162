"""Values every page's layout needs: the platform's name, logo and navigation."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from cms.models import SiteSettings
from imh_courses.models import CourseIndexPage
from imh_organisations.selectors import organisations_managed_by


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


NAV_CACHE_SECONDS = 60


def _courses_url(request: HttpRequest) -> str | None:
    """The courses area's URL, cached briefly: it changes rarely and every page shows it."""
    key = f"imh:nav:courses-url:{request.get_host()}"
    url = cache.get(key)
    if url is None:
        index = CourseIndexPage.objects.live().order_by("path").first()
        url = (index.get_url(request) if index else "") or ""
        cache.set(key, url, NAV_CACHE_SECONDS)
    return url or None


def _navigation(request: HttpRequest) -> list[dict]:
    user = getattr(request, "user", None)
    items: list[tuple[str, str | None]] = [
        (_("Home"), "/"),
        (_("Courses"), _courses_url(request)),
    ]
    if user is not None and user.is_authenticated:
        items += [
            (_("My learning"), _url("imh_courses:my_learning")),
            (_("My competencies"), _url("imh_competencies:profile")),
            (_("CPD portfolio"), _url("imh_certificates:portfolio")),
            (_("My account"), _url("imh_accounts:dashboard")),
            (_("Organisations"), _url("imh_organisations:mine")),
        ]
        # Active managers of an organisation: one small query, made when the header renders.
        if organisations_managed_by(user=user).exists():
            items.append((_("Staff compliance"), _url("imh_compliance:home")))
        if user.has_perm("wagtailadmin.access_admin"):
            items.append((_("Admin"), _url("wagtailadmin_home")))
        items.append((_("Log out"), _url("account_logout")))
    else:
        items += [
            (_("Log in"), _url("account_login")),
            (_("Create an account"), _url("account_signup")),
        ]
    path = request.path
    links = []
    for label, url in items:
        if not url:
            continue
        links.append(
            {
                "label": label,
                "url": url,
                "current": path == url,
                "active": url != "/" and path.startswith(url),
            }
        )
    return links


CHROME_GENERATION_KEY = "imh:chrome:generation"


def chrome_forget() -> None:
    """Make every cached header and footer stale (site settings or sites changed)."""
    try:
        cache.incr(CHROME_GENERATION_KEY)
    except ValueError:
        cache.set(CHROME_GENERATION_KEY, 1, None)


def _identity(request: HttpRequest) -> dict:
    """The site's name, support address and logo id, cached per host for a minute (and
    dropped as soon as site settings change), so a page's layout costs no queries."""
    generation = cache.get(CHROME_GENERATION_KEY, 0)
    key = f"imh:chrome:{generation}:{request.get_host()}"
    identity = cache.get(key)
    if identity is None:
        settings = SiteSettings.for_request(request)
        identity = {
            "platform_name": settings.platform_name,
            "support_email": settings.support_email,
            "logo_id": settings.logo_id,
        }
        # Reading the settings may have created them (and so moved the generation on).
        generation = cache.get(CHROME_GENERATION_KEY, 0)
        cache.set(f"imh:chrome:{generation}:{request.get_host()}", identity, NAV_CACHE_SECONDS)
    return identity


def site_identity(request: HttpRequest) -> dict[str, str]:
    """The site's name and support address from its settings, as the apps' pages want them
    (the ``IMH_SITE_IDENTITY`` hook); cached like the header's."""
    identity = _identity(request)
    return {"name": identity["platform_name"], "support_email": identity["support_email"]}


def _logo(logo_id: int | None):
    if logo_id is None:
        return None
    from wagtail.images import get_image_model

    return get_image_model().objects.filter(pk=logo_id).first()


def _chrome(request: HttpRequest) -> dict:
    identity = _identity(request)
    return {
        "platform_name": identity["platform_name"],
        "support_email": identity["support_email"],
        "logo": SimpleLazyObject(lambda: _logo(identity["logo_id"]))
        if identity["logo_id"]
        else None,
        "primary_links": _navigation(request),
        "footer_links": [
            link
            for link in (
                {"label": _("Verify a certificate"), "url": _url("imh_certificates:verify")},
                {"label": _("Recognition register"), "url": _url("imh_recognition:register")},
                {"label": _("Privacy and your data"), "url": _url("imh_accounts:privacy")},
                {"label": _("Accessibility"), "url": "/accessibility/"},
            )
            if link["url"]
        ],
    }


def site_chrome(request: HttpRequest) -> dict:
    return {"site_chrome": SimpleLazyObject(lambda: _chrome(request))}
