"""Certificate PDFs: the HTML for a certificate, and WeasyPrint's render of it.

WeasyPrint follows every URL a document names (stylesheets, fonts, images, ``url()`` in CSS,
``<image href>`` inside SVG). The fetcher given to it here allows only the project's own
static files and ``data:`` URIs, so text that reaches a certificate can never make the
renderer read a local file or call another server. Images that editors upload (logo,
signature) are read through storage by this module and handed to WeasyPrint as ``data:``
URIs; WeasyPrint never fetches them itself.
"""

from __future__ import annotations

import base64
import datetime
import logging
import mimetypes
import posixpath
import re
import threading
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import unquote, urljoin, urlsplit

import segno
import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from imh_certificates.models import Certificate, CertificateTemplate
from imh_certificates.policies import issuer_default
from imh_core.formatting import hours_text
from imh_core.links import site_url

logger = logging.getLogger(__name__)

PDF_TEMPLATE = "imh_certificates/pdf/certificate.html"
PDF_VARIANT = "pdf/ua-1"
# A certificate is a record made once and kept: its words are in this language whoever
# happens to trigger the rendering (a trainee browsing in Welsh, the task worker).
PDF_LANGUAGE = "en-GB"
SAMPLE_CODE = "XXXX-XXXX-XXXX-XXXX-XXXX"
_HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
# Images are scaled down before they are embedded: a 10 MB photo of a signature would
# otherwise slow every render and swell every PDF.
LOGO_FILTER = "max-800x300|format-png"
SIGNATURE_FILTER = "max-600x200|format-png"


class URLRefused(ValueError):
    """The certificate renderer does not fetch this URL."""


def static_base_url() -> str:
    """The absolute URL under which the PDF's HTML names static files (never fetched over HTTP)."""
    return urljoin(site_url("/"), settings.STATIC_URL)


class SafeURLFetcher(URLFetcher):
    """Serves the project's static files from disk and decodes ``data:`` URIs; refuses the rest.

    Static files are looked up with the staticfiles finders (or in ``STATIC_ROOT``), never
    requested over the network, so there are no redirects to follow. A refusal raises
    ``URLRefused``: WeasyPrint logs it and leaves the resource out.
    """

    def __init__(self, *, static_base: str | None = None) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False, timeout=1)
        self.static_base = static_base or static_base_url()
        self.requested: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        self.requested.append(url)
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        path = self.static_path(url)
        if path is None:
            raise URLRefused(f"Certificates may only use the site's own static files: {url[:200]}")
        with open(path, "rb") as handle:
            body = handle.read()
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    def static_path(self, url: str) -> str | None:
        """The file on disk for a URL under the static base, or None if it is not one."""
        if not url.startswith(self.static_base):
            return None
        parts = urlsplit(url[len(self.static_base) :])
        if parts.scheme or parts.netloc:
            return None
        relative = unquote(parts.path)
        if (
            not relative
            or "\\" in relative
            or "\x00" in relative
            or relative.startswith("/")
            or posixpath.normpath(relative) != relative
            or relative.split("/")[0] == ".."
        ):
            return None
        found = finders.find(relative)
        if found:
            return found if isinstance(found, str) else found[0]
        if settings.STATIC_ROOT:
            candidate = posixpath.join(str(settings.STATIC_ROOT), relative)
            try:
                with open(candidate, "rb"):
                    return candidate
            except OSError:
                return None
        return None


@dataclass(frozen=True)
class _Entry:
    label: str
    detail: str


def template_for(certificate: Certificate) -> CertificateTemplate:
    """The certificate's own template, else the default one, else the built-in look."""
    if certificate.template_id:
        template = CertificateTemplate.objects.filter(pk=certificate.template_id).first()
        if template is not None:
            return template
    default = CertificateTemplate.objects.filter(is_default=True).first()
    if default is not None:
        return default
    return CertificateTemplate(name="Built-in", issuer_name=certificate.issuer_name)


def verification_url(code: str) -> str:
    return site_url(f"/verify/{code}/")


def qr_data_uri(url: str) -> str:
    qr = segno.make(url, error="m")
    return qr.svg_data_uri(scale=4, border=2, dark="#000000", light="#ffffff")


def image_data_uri(image, filter_spec: str) -> str | None:
    """A Wagtail image, scaled by ``filter_spec``, as a ``data:`` URI read through storage."""
    if image is None:
        return None
    rendition = image.get_rendition(filter_spec)
    with rendition.file.open("rb") as handle:
        data = handle.read()
    content_type = mimetypes.guess_type(rendition.file.name)[0] or "image/png"
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"


def _colour(value: str, fallback: str) -> str:
    # Colours go into a stylesheet, where escaping does not apply: only #RRGGBB passes.
    return value if isinstance(value, str) and _HEX_COLOUR.match(value) else fallback


def _date(value) -> datetime.date | str | None:
    if isinstance(value, datetime.date) or not value:
        return value or None
    return parse_date(str(value)) or str(value)


def _hours(value) -> str:
    return hours_text(0 if value is None else value, "CPD")


def _competencies(certificate: Certificate) -> list[_Entry]:
    entries = []
    for item in certificate.competencies or []:
        if not isinstance(item, dict):
            continue
        name = str(item.get("name") or item.get("code") or "")
        code = str(item.get("code") or "")
        label = f"{code} {name}".strip() if code and code != name else name
        level = str(item.get("level_label") or item.get("level") or "")
        framework = str(item.get("framework") or "")
        detail = ", ".join(part for part in (level, framework) if part)
        entries.append(_Entry(label=label, detail=detail))
    return entries


def _sessions(certificate: Certificate) -> list[_Entry]:
    entries = []
    for item in certificate.sessions or []:
        if not isinstance(item, dict):
            continue
        when = _date(item.get("date"))
        if isinstance(when, datetime.date):
            when = f"{when.day} {when:%B %Y}"
        entries.append(_Entry(label=str(item.get("title") or ""), detail=str(when or "")))
    return entries


def _long_date(value) -> str:
    value = _date(value)
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return f"{value.day} {value:%B %Y}"
    return str(value or "")


def _logo_data_uri(template: CertificateTemplate) -> str | None:
    """The template's logo, or the site's own when the template has none."""
    logo = template.logo if template.logo_id else issuer_default()["logo"]
    return image_data_uri(logo, LOGO_FILTER) if logo is not None else None


def certificate_context(
    *, certificate: Certificate, template: CertificateTemplate | None = None, sample: bool = False
) -> dict:
    template = template or template_for(certificate)
    defaults = CertificateTemplate()
    verify_url = verification_url(certificate.code)
    status = certificate.effective_status() if certificate.pk else "valid"
    status_notice = {
        "revoked": gettext("This certificate has been revoked."),
        "superseded": gettext("This certificate has been replaced by a reissued certificate."),
        "expired": gettext("This certificate has expired."),
    }.get(status, "")
    issuer_name = certificate.issuer_name or template.issuer_name
    return {
        "certificate": certificate,
        "template": template,
        "sample": sample,
        "status_notice": status_notice,
        "language": PDF_LANGUAGE,
        "document_title": f"{template.heading}: {certificate.title} ({certificate.holder_name})",
        "primary_colour": _colour(template.primary_colour, defaults.primary_colour),
        "accent_colour": _colour(template.accent_colour, defaults.accent_colour),
        "issuer_name": issuer_name,
        "signatory_name": certificate.signatory_name or template.signatory_name,
        "signatory_role": certificate.signatory_role or template.signatory_role,
        "hours": _hours(certificate.cpd_hours),
        "completed_on": _long_date(certificate.completed_on),
        "issued_on": _long_date(certificate.issued_at),
        "expires_on": _long_date(certificate.expires_on) if certificate.expires_on else "",
        "competencies": _competencies(certificate),
        "sessions": _sessions(certificate),
        "verify_url": verify_url,
        "qr_data_uri": qr_data_uri(verify_url),
        "logo_data_uri": _logo_data_uri(template),
        "signature_data_uri": (
            image_data_uri(template.signature, SIGNATURE_FILTER) if template.signature_id else None
        ),
    }


def certificate_html(
    *, certificate: Certificate, template: CertificateTemplate | None = None, sample: bool = False
) -> str:
    """The certificate as HTML for WeasyPrint; every field is escaped by the template engine."""
    with translation.override(PDF_LANGUAGE):
        context = certificate_context(certificate=certificate, template=template, sample=sample)
        return render_to_string(PDF_TEMPLATE, context)


_local = threading.local()


def _font_config() -> FontConfiguration:
    """One font configuration per thread, kept between renders.

    WeasyPrint loads every ``@font-face`` into a fresh Fontconfig set-up for each document
    unless it is given one that has them already; the certificate fonts never change, so a
    worker loads them once. Fontconfig objects are not shared between threads.
    """
    config = getattr(_local, "font_config", None)
    if config is None:
        config = _local.font_config = FontConfiguration()
    return config


def html_to_pdf(html: str, *, url_fetcher: SafeURLFetcher | None = None) -> bytes:
    """Render certificate HTML to a tagged (PDF/UA-1) A4 PDF with the safe fetcher."""
    fetcher = url_fetcher or SafeURLFetcher()
    document = weasyprint.HTML(string=html, base_url=fetcher.static_base, url_fetcher=fetcher)
    return document.write_pdf(pdf_variant=PDF_VARIANT, font_config=_font_config())


def certificate_pdf(
    *,
    certificate: Certificate,
    template: CertificateTemplate | None = None,
    sample: bool = False,
    url_fetcher: SafeURLFetcher | None = None,
) -> bytes:
    html = certificate_html(certificate=certificate, template=template, sample=sample)
    return html_to_pdf(html, url_fetcher=url_fetcher)


def sample_certificate(template: CertificateTemplate) -> Certificate:
    """An unsaved certificate with made-up details, for previewing a template."""
    today = timezone.localdate()
    return Certificate(
        code=SAMPLE_CODE,
        holder_name="Sam Sample",
        title="Sample course: Understanding infant mental health",
        cpd_hours=Decimal("6.5"),
        completed_on=today,
        issued_at=timezone.now(),
        expires_on=today + datetime.timedelta(days=3 * 365),
        competencies=[
            {
                "framework": "Sample framework",
                "code": "IMH 1.2",
                "name": "Observing parent-infant interaction",
                "level": 2,
                "level_label": "Practitioner",
            },
            {
                "framework": "Sample framework",
                "code": "IMH 3.1",
                "name": "Supporting early relationships",
                "level": 1,
                "level_label": "Foundation",
            },
        ],
        sessions=[{"title": "Sample live session: reflective practice", "date": today.isoformat()}],
        issuer_name=template.issuer_name,
        signatory_name=template.signatory_name,
        signatory_role=template.signatory_role,
        template=template if template.pk else None,
    )
