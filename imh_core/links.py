"""Absolute URLs of this site for everything made outside a request.

Emails sent by tasks, certificate PDFs and their QR codes, reminders, digests, invitations
and the xAPI agent that stands for a learner have no request to take the host from. They
all ask ``site_url`` here, so that one setting, ``WAGTAILADMIN_BASE_URL`` (Wagtail's own,
also used in its notification emails), decides the address everywhere. Inside a request,
views use ``request.build_absolute_uri`` as usual.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse

SETTING = "WAGTAILADMIN_BASE_URL"


def site_base_url() -> str:
    """The site's public address, such as ``https://learning.example.org``, with no slash
    at the end.

    Raises ``ImproperlyConfigured`` when the setting is missing or is not a full http(s)
    address: a link without a host in an email, or printed on a certificate, cannot be
    followed and cannot be taken back.
    """
    value = getattr(settings, SETTING, "") or ""
    if not isinstance(value, str) or not value.strip():
        raise ImproperlyConfigured(
            f"Set {SETTING} to the site's public address, such as https://learning.example.org."
        )
    base = value.strip().rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured(
            f"{SETTING} must be a full address starting with https:// or http://, such as "
            f"https://learning.example.org (it is {value!r})."
        )
    if parts.query or parts.fragment:
        raise ImproperlyConfigured(f"{SETTING} must not have a query or fragment ({value!r}).")
    return base


def site_url(path: str = "") -> str:
    """The absolute URL of ``path`` on this site (``reverse()``'s output, say).

    ``site_url()`` is the site's address itself. A URL that is absolute already (a page's
    URL on an installation with several Wagtail sites) is returned as it is.
    """
    if path.startswith(("http://", "https://")):
        return path
    base = site_base_url()
    if not path:
        return base
    return f"{base}{path if path.startswith('/') else '/' + path}"


def path_for(name: str, *args: object) -> str:
    """The path of a named URL, or "" when the host site does not mount that page.

    A host may leave out some of an app's URLconfs; a link to a page it does not serve is
    left out rather than failing the email or page that mentions it.
    """
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def site_url_for(name: str, *args: object, fallback: str | None = None) -> str:
    """The absolute URL of a named page; of ``fallback`` (a path) when the host does not
    mount it, or "" when there is no fallback either."""
    path = path_for(name, *args)
    if path:
        return site_url(path)
    return site_url(fallback) if fallback is not None else ""
