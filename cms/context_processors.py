"""Values every page's layout needs: the platform's name, logo and navigation."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from wagtail.models import Site

from cms.models import SiteSettings
from courses.models import CourseIndexPage


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


NAV_CACHE_SECONDS = 60


def _courses_url(request: HttpRequest) -> str | None:
    """The courses area's URL, cached briefly: it changes rarely and every page shows it."""
    site = Site.find_for_request(request)
    key = f"imh:nav:courses-url:{site.pk if site else 0}"
    url = cache.get(key)
    if url is None:
        index = CourseIndexPage.objects.live().order_by("path").first()
        url = (index.get_url(request) if index else "") or ""
        cache.set(key, url, NAV_CACHE_SECONDS)
    return url or None


def _navigation(request: HttpRequest) -> list[dict]:
    user = getattr(request, "user", None)
    items: list[tuple[str, str | None]] = [("Home", "/"), ("Courses", _courses_url(request))]
    if user is not None and user.is_authenticated:
        items += [
            ("My learning", _url("courses:my_learning")),
            ("My competencies", _url("competencies:profile")),
            ("My account", _url("accounts:dashboard")),
            ("Organisations", _url("organisations:mine")),
        ]
        if user.has_perm("wagtailadmin.access_admin"):
            items.append(("Admin", _url("wagtailadmin_home")))
        items.append(("Log out", _url("account_logout")))
    else:
        items += [("Log in", _url("account_login")), ("Create an account", _url("account_signup"))]
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


def _chrome(request: HttpRequest) -> dict:
    settings = SiteSettings.for_request(request)
    return {
        "platform_name": settings.platform_name,
        "support_email": settings.support_email,
        "logo": settings.logo,
        "primary_links": _navigation(request),
        "footer_links": [
            link
            for link in (
                {"label": "Verify a certificate", "url": _url("certificates:verify")},
                {"label": "Privacy and your data", "url": _url("accounts:privacy")},
                {"label": "Accessibility", "url": "/accessibility/"},
            )
            if link["url"]
        ],
    }


def site_chrome(request: HttpRequest) -> dict:
    return {"site_chrome": SimpleLazyObject(lambda: _chrome(request))}
