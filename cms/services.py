"""Writes that belong to the reference site itself rather than to one of the apps."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from wagtail.models import Site

from imh_core.links import site_url

_DEFAULT_PORTS = {"http": 80, "https": 443}


def default_site_address_update(*, base_url: str | None = None) -> Site:
    """Point the default Wagtail site at ``base_url`` (the site's own address by default).

    Wagtail builds a page's full URL (``page.full_url``, the admin's links to live pages)
    from the site record's host name and port, not from ``WAGTAILADMIN_BASE_URL``; this
    keeps the two in step. Raises ``ValidationError`` when the address cannot be held by a
    site record, or another site already has it.
    """
    url = base_url if base_url is not None else site_url()
    parts = urlsplit(url)
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValidationError(
            f"{url!r} is not a full address such as https://learning.example.org."
        )
    try:
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
    except ValueError as exc:
        raise ValidationError(f"{url!r} has a port that is not a number.") from exc
    # Wagtail writes https only for port 443, and http for every other port.
    if parts.scheme == "https" and port != 443:
        raise ValidationError(
            "A Wagtail site record can only hold an https address on port 443, "
            f"not {parts.scheme}://{parts.netloc}."
        )
    hostname = parts.hostname
    if ":" in hostname:  # an IPv6 address, written in brackets in URLs
        hostname = f"[{hostname}]"
    with transaction.atomic():
        site = Site.objects.select_for_update().get(is_default_site=True)
        if (site.hostname, site.port) == (hostname, port):
            return site
        site.hostname, site.port = hostname, port
        site.full_clean()
        site.save(update_fields=["hostname", "port"])
    return site
