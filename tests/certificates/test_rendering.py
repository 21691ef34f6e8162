"""Certificate PDFs: what they say, how they are made, and what the renderer may fetch."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from wagtail_factories import ImageFactory
from weasyprint.urls import URLFetcherResponse

from imh_certificates import rendering
from imh_certificates.models import Certificate, CertificateTemplate
from tests.certificates.factories import CertificateFactory, CertificateTemplateFactory
from tests.certificates.pdftools import (
    pdf_fonts,
    pdf_image_count,
    pdf_info,
    pdf_text,
    requires_poppler,
)

pytestmark = [pytest.mark.django_db, requires_poppler]

HOSTILE_NAME = '<img src="file:///etc/passwd">'


class SpyFetcher(rendering.SafeURLFetcher):
    """The safe fetcher, remembering what it was asked for and what it refused."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        try:
            return super().fetch(url, headers)
        except rendering.URLRefused:
            self.refused.append(url)
            raise


def _allowed(url: str) -> bool:
    return url.startswith("data:") or url.startswith(rendering.static_base_url())


@pytest.fixture
def certificate() -> Certificate:
    return CertificateFactory(
        holder_name="Priya Shah",
        title="Understanding infant mental health",
        cpd_hours=Decimal("6.5"),
        completed_on=datetime.date(2026, 11, 20),
        issued_at=datetime.datetime(2026, 11, 21, 10, 0, tzinfo=datetime.UTC),
        expires_on=datetime.date(2029, 11, 21),
        competencies=[
            {
                "framework": "IMH framework",
                "code": "IMH-2.3",
                "name": "Reflective practice",
                "level": 2,
                "level_label": "Practitioner",
            }
        ],
        sessions=[{"title": "Live session: the first 1001 days", "date": "2026-11-05"}],
        issuer_name="North Trust Learning",
        signatory_name="Dr Jo Evans",
        signatory_role="Head of education",
    )


def test_pdf_states_every_field_of_the_certificate(certificate):
    text = pdf_text(rendering.certificate_pdf(certificate=certificate))

    for expected in (
        "Priya Shah",
        "Understanding infant mental health",
        "6.5 CPD hours",
        "20 November 2026",
        "21 November 2026",
        "21 November 2029",
        "IMH-2.3 Reflective practice (Practitioner, IMH framework)",
        "Live session: the first 1001 days (5 November 2026)",
        "North Trust Learning",
        "Dr Jo Evans",
        "Head of education",
        certificate.code,
        f"http://testserver/verify/{certificate.code}/",
    ):
        assert expected in text, expected


def test_pdf_without_expiry_says_it_does_not_expire(certificate):
    certificate.expires_on = None
    certificate.save()

    assert "Does not expire" in pdf_text(rendering.certificate_pdf(certificate=certificate))


def test_pdf_is_tagged_a4_landscape_with_title_and_embedded_fonts(certificate):
    pdf = rendering.certificate_pdf(certificate=certificate)

    info = pdf_info(pdf)
    width, _, height = info["Page size"].split(" pts")[0].partition(" x ")
    assert (round(float(width)), round(float(height))) == (842, 595)  # A4, landscape
    assert "A4" in info["Page size"]
    assert info["Pages"] == "1"
    assert info["Tagged"] == "yes"
    assert "Understanding infant mental health" in info["Title"]
    assert "Priya Shah" in info["Title"]
    fonts = pdf_fonts(pdf)
    assert fonts, "the PDF names no fonts"
    assert all(font["emb"] == "yes" for font in fonts), fonts
    assert all("Certificate-Sans" in font["name"] for font in fonts), fonts


def test_qr_code_points_to_the_verification_url(certificate):
    spy = SpyFetcher()
    rendering.certificate_pdf(certificate=certificate, url_fetcher=spy)

    verify_url = f"http://testserver/verify/{certificate.code}/"
    assert rendering.qr_data_uri(verify_url) in spy.requested
    html = rendering.certificate_html(certificate=certificate)
    assert f'alt="QR code linking to {verify_url}"' in html


def test_hostile_holder_name_prints_as_text_and_fetches_nothing(certificate):
    certificate.holder_name = HOSTILE_NAME
    certificate.title = '<link rel="stylesheet" href="http://evil.example/x.css">'
    certificate.save()
    spy = SpyFetcher()

    pdf = rendering.certificate_pdf(certificate=certificate, url_fetcher=spy)

    text = pdf_text(pdf)
    assert HOSTILE_NAME in text
    assert '<link rel="stylesheet" href="http://evil.example/x.css">' in text
    assert all(_allowed(url) for url in spy.requested), spy.requested
    assert not any("passwd" in url or "evil.example" in url for url in spy.requested)
    assert spy.refused == []


def test_hostile_template_fields_print_as_text_and_fetch_nothing(certificate):
    template = CertificateTemplateFactory(
        heading="</style><style>@import url(http://evil.example/a.css);</style>",
        wording='<link rel="stylesheet" href="file:///etc/passwd"> url(file:///etc/passwd)',
        issuer_name='<img src="http://evil.example/track.png">',
        signatory_name="<script>alert(1)</script>",
    )
    certificate.template = template
    certificate.issuer_name = ""
    certificate.signatory_name = ""
    certificate.save()
    spy = SpyFetcher()

    text = pdf_text(rendering.certificate_pdf(certificate=certificate, url_fetcher=spy))

    assert "@import url(http://" in text
    assert "evil.example/a.css);</style>" in text
    assert "url(file:///etc/passwd)" in text
    assert '<img src="http://evil.example/track.png">' in text
    assert "<script>alert(1)</script>" in text
    assert all(_allowed(url) for url in spy.requested), spy.requested


def test_colours_that_are_not_hex_fall_back_to_the_defaults(certificate):
    # The database refuses such colours; the renderer does not rely on that.
    template = CertificateTemplate(
        name="Unsaved",
        issuer_name="Issuer",
        primary_colour="red; } body { background: url(file:///etc/passwd); } x {",
        accent_colour="#12345g",
    )

    html = rendering.certificate_html(certificate=certificate, template=template)
    spy = SpyFetcher()
    rendering.html_to_pdf(html, url_fetcher=spy)

    assert "passwd" not in html
    assert CertificateTemplate().primary_colour in html
    assert all(_allowed(url) for url in spy.requested), spy.requested


def test_logo_and_signature_are_embedded_from_storage_with_alt_text(certificate):
    template = CertificateTemplateFactory(
        logo=ImageFactory(title="Logo", file__color="blue", file__width=300),
        signature=ImageFactory(title="Signature", file__color="black", file__width=200),
    )
    certificate.template = template
    certificate.save()
    spy = SpyFetcher()

    html = rendering.certificate_html(certificate=certificate)
    pdf = rendering.html_to_pdf(html, url_fetcher=spy)

    assert 'alt="North Trust Learning logo"' in html
    assert 'alt="Signature of Dr Jo Evans"' in html
    assert sum(url.startswith("data:image/png;base64,") for url in spy.requested) == 2
    assert pdf_image_count(pdf) >= 2
    assert all(_allowed(url) for url in spy.requested), spy.requested


def test_default_template_is_used_when_the_certificate_names_none(certificate):
    CertificateTemplateFactory(is_default=True, heading="Certificate of achievement")

    text = pdf_text(rendering.certificate_pdf(certificate=certificate))

    assert "Certificate of achievement" in text


def test_revoked_certificate_says_so_on_its_face(certificate):
    certificate.status = Certificate.Status.REVOKED
    certificate.revoked_reason = "Issued in error"
    certificate.save()

    text = pdf_text(rendering.certificate_pdf(certificate=certificate))

    assert "This certificate has been revoked." in text


class TestSafeURLFetcher:
    @pytest.mark.parametrize(
        "url",
        [
            "file:///etc/passwd",
            "FILE:///etc/passwd",
            "http://example.com/logo.png",
            "https://example.com/font.ttf",
            "ftp://example.com/x.css",
            "http://169.254.169.254/latest/meta-data/",
            "http://testserver/media/private/certificates/other.pdf",
            "http://testserver/static/../../etc/passwd",
            "http://testserver/static/certificates/../../../etc/passwd",
            "http://testserver/static/certificates/%2e%2e/%2e%2e/etc/passwd",
            "http://testserver/static//etc/passwd",
            "http://testserver/static/certificates/no-such-file.css",
            "http://testserver.evil.example/static/certificates/certificate-pdf.css",
            "http://testserver/staticx/certificates/certificate-pdf.css",
            "/etc/passwd",
            "about:blank",
        ],
    )
    def test_refuses_anything_but_static_files_and_data(self, url):
        with pytest.raises(rendering.URLRefused):
            rendering.SafeURLFetcher().fetch(url)

    def test_serves_the_certificate_stylesheet_from_static_files(self):
        url = rendering.static_base_url() + "imh_certificates/certificate-pdf.css"

        response = rendering.SafeURLFetcher().fetch(url)

        assert isinstance(response, URLFetcherResponse)
        assert b"@page" in response.read()
        assert response.content_type == "text/css"

    def test_decodes_data_uris(self):
        response = rendering.SafeURLFetcher().fetch("data:text/plain;base64,aGVsbG8=")

        assert response.read() == b"hello"

    def test_refused_resources_are_left_out_and_the_render_carries_on(self):
        html = (
            '<html lang="en-GB"><head><title>t</title>'
            '<link rel="stylesheet" href="http://example.com/x.css"></head>'
            '<body><p>Still here</p><img src="file:///etc/passwd" alt="x"></body></html>'
        )
        spy = SpyFetcher()

        pdf = rendering.html_to_pdf(html, url_fetcher=spy)

        assert "Still here" in pdf_text(pdf)
        assert set(spy.refused) == {"http://example.com/x.css", "file:///etc/passwd"}


def test_sample_certificate_renders_with_a_sample_notice():
    template = CertificateTemplateFactory(heading="Certificate of attendance")

    text = pdf_text(
        rendering.certificate_pdf(
            certificate=rendering.sample_certificate(template), template=template, sample=True
        )
    )

    assert "Sample for previewing a template: not a real certificate" in text
    assert "Certificate of attendance" in text
    assert "Sam Sample" in text
    assert not Certificate.objects.exists()
