"""The public verification page: /verify/ and /verify/<code>/ (the QR target)."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from imh_certificates import verification
from imh_certificates.models import Certificate, code_generate
from tests.certificates.factories import CertificateFactory

pytestmark = pytest.mark.django_db


def _url(code: str) -> str:
    return reverse("imh_certificates:verify_code", kwargs={"code": code})


def _unused_code() -> str:
    code = code_generate()
    assert not Certificate.objects.filter(code=code).exists()
    return code


def _revoke(certificate: Certificate, reason: str) -> Certificate:
    certificate.status = Certificate.Status.REVOKED
    certificate.revoked_reason = reason
    certificate.revoked_at = timezone.now()
    certificate.save()
    return certificate


def _supersede(old: Certificate) -> Certificate:
    new = CertificateFactory(holder=old.holder, holder_name=old.holder_name, source_id=999_999)
    old.status = Certificate.Status.SUPERSEDED
    old.superseded_by = new
    old.save()
    return new


# The form ---------------------------------------------------------------------------------


def test_form_page_is_public_and_explains_the_format(client):
    response = client.get(reverse("imh_certificates:verify"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label class="nhsuk-label" for="id_code">Certificate code</label>' in html
    assert "XXXX-XXXX-XXXX-XXXX-XXXX" in html
    assert 'aria-describedby="id_code_helptext"' in html
    assert response["X-Robots-Tag"].startswith("noindex")


def test_form_forgives_case_spaces_and_dashes_and_redirects_to_canonical(client):
    cert = CertificateFactory()
    typed = " " + cert.code.replace("-", " ").lower() + " "
    response = client.get(reverse("imh_certificates:verify"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == _url(cert.code)


def test_form_without_dashes_redirects_too(client):
    code = _unused_code()
    response = client.get(reverse("imh_certificates:verify"), {"code": code.replace("-", "")})
    assert response["Location"] == _url(code)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the certificate code"),
        ("ABCD", "exactly as it is printed"),
        ("0000-0000-0000-0000-0000", "exactly as it is printed"),
        ("A" * 300, "exactly as it is printed"),
    ],
)
def test_form_errors_use_the_error_summary(client, typed, message):
    response = client.get(reverse("imh_certificates:verify"), {"code": typed})
    assert response.status_code == 200
    html = response.content.decode()
    assert "nhsuk-error-summary" in html
    assert 'href="#id_code"' in html
    assert message in html
    assert "<title>Error: Verify a certificate" in html


# The QR target ------------------------------------------------------------------------------


def test_valid_certificate_shows_every_field(client):
    cert = CertificateFactory(
        holder_name="Priya Shah",
        title="Attachment in the first year",
        cpd_hours="2.5",
        completed_on=datetime.date(2026, 3, 4),
        expires_on=datetime.date(2029, 3, 4),
        issuer_name="Northshire IMH Network",
        signatory_name="Dr Ada Jones",
        signatory_role="Clinical lead",
        competencies=[
            {
                "framework": "IMH framework",
                "code": "IMH-2.3",
                "name": "Serve and return",
                "level": 2,
                "level_label": "Practitioner",
            }
        ],
        sessions=[{"title": "Live case discussion", "date": "2026-02-20"}],
    )
    response = client.get(_url(cert.code))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "This certificate is valid",
        "Priya Shah",
        "Attachment in the first year",
        ">2.5 hours<",
        "4 March 2026",
        "4 March 2029",
        "Northshire IMH Network",
        "Dr Ada Jones, Clinical lead",
        "IMH-2.3 Serve and return",
        "Practitioner",
        "Live case discussion (20 February 2026)",
        cert.code,
        "nhsuk-tag--green",
    ):
        assert text in html, text
    assert timezone.localdate(cert.issued_at).strftime("%-d %B %Y") in html
    assert response["X-Robots-Tag"].startswith("noindex")
    assert response["Cache-Control"] == "no-store"
    # Nothing about the holder beyond the certificate: no username or email address.
    assert cert.holder.email not in html
    assert cert.holder.username not in html


def test_expired_certificate_is_shown_as_expired_never_valid(client):
    cert = CertificateFactory(expires_on=datetime.date(2027, 1, 31))
    with time_machine.travel(datetime.datetime(2027, 2, 1, 12, tzinfo=datetime.UTC)):
        response = client.get(_url(cert.code))
    html = response.content.decode()
    assert response.status_code == 200
    assert "This certificate has expired" in html
    assert "expired on 31 January 2027" in html
    assert "nhsuk-tag--grey" in html
    assert "nhsuk-tag--green" not in html
    assert "is valid" not in html


def test_certificate_on_its_expiry_date_is_still_valid(client):
    cert = CertificateFactory(expires_on=datetime.date(2027, 1, 31))
    with time_machine.travel(datetime.datetime(2027, 1, 31, 12, tzinfo=datetime.UTC)):
        html = client.get(_url(cert.code)).content.decode()
    assert "This certificate is valid" in html


def test_revoked_certificate_shows_date_and_reason(client):
    cert = _revoke(CertificateFactory(), "Issued in error: the course was not completed.")
    response = client.get(_url(cert.code))
    html = response.content.decode()
    assert "This certificate has been revoked" in html
    assert "Issued in error: the course was not completed." in html
    assert f"on {timezone.localdate():%-d %B %Y}" in html
    assert "nhsuk-tag--red" in html
    assert "nhsuk-tag--green" not in html
    assert "is valid" not in html


def test_superseded_certificate_links_to_the_reissue(client):
    old = CertificateFactory()
    new = _supersede(old)
    html = client.get(_url(old.code)).content.decode()
    assert "This certificate has been replaced" in html
    assert f'href="{_url(new.code)}"' in html
    assert "nhsuk-tag--green" not in html
    assert "This certificate is valid" in client.get(_url(new.code)).content.decode()


def test_lower_case_code_in_the_url_redirects_to_canonical(client):
    cert = CertificateFactory()
    response = client.get(_url(cert.code.lower()))
    assert response.status_code == 302
    assert response["Location"] == _url(cert.code)


def test_hostile_text_is_escaped(client):
    cert = CertificateFactory(
        holder_name='<img src="file:///etc/passwd">',
        title="<script>alert(1)</script>",
        competencies=[{"name": "<b>bold</b>", "framework": "F", "level_label": "L"}],
        sessions=[{"title": "<i>x</i>", "date": "not a date"}],
    )
    _revoke(cert, "<a href='https://evil.example'>click</a>")
    html = client.get(_url(cert.code)).content.decode()
    assert '<img src="file:///etc/passwd">' not in html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html
    assert "<script>alert(1)</script>" not in html
    assert "<b>bold</b>" not in html
    assert "<i>x</i>" not in html
    assert "<a href='https://evil.example'>" not in html


# Not found: one shape for every kind ---------------------------------------------------------


def _not_found_body(client, code: str) -> str:
    response = client.get(reverse("imh_certificates:verify_code", kwargs={"code": code}))
    assert response.status_code == 404
    assert response["X-Robots-Tag"].startswith("noindex")
    assert "Certificate not found" in response.content.decode()
    # The site's language switcher is a form, and its CSRF token is new in every response.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "CSRF", response.content.decode())


def test_unknown_malformed_and_overlong_codes_get_the_same_page(client):
    unknown = _not_found_body(client, _unused_code())
    malformed = _not_found_body(client, "NOT-A-CODE")
    lookalikes = _not_found_body(client, "0000-0000-0000-0000-0000")
    overlong = _not_found_body(client, "A" * 65)
    very_long = _not_found_body(client, "7" * 5000)
    assert unknown == malformed == lookalikes == overlong == very_long


@pytest.mark.parametrize("code", ["NOT-A-CODE", "A" * 200, "0000-0000-0000-0000-0000"])
def test_malformed_codes_do_the_same_lookup_as_unknown_ones(client, code):
    unknown_code = _unused_code()
    client.get(_url(_unused_code()))  # the site chrome's first-request caches
    with CaptureQueriesContext(connection) as unknown:
        client.get(_url(unknown_code))
    with CaptureQueriesContext(connection) as malformed:
        client.get(_url(code))
    lookups = [
        q["sql"] for q in malformed.captured_queries if "certificates_certificate" in q["sql"]
    ]
    assert len(lookups) == 1
    assert len(malformed.captured_queries) == len(unknown.captured_queries)


def _chrome_queries(client) -> int:
    """Queries every page of the site makes for its layout (site and its settings)."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("imh_certificates:verify")).status_code == 200
    return len(captured.captured_queries)


def test_page_does_one_lookup_and_no_session_or_user_queries(client):
    cert = _revoke(CertificateFactory(), "Reason")
    _supersede(cert)  # the successor's code comes in the same query
    client.get(_url(cert.code))  # first-request caches
    chrome = _chrome_queries(client)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(_url(cert.code))
    assert response.status_code == 200
    assert len(captured.captured_queries) == chrome + 1
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert "django_session" not in sql
    assert "auth_user" not in sql
    assert sql.count("certificates_certificate") >= 1


def test_verification_url_in_the_public_record_is_absolute():
    cert = CertificateFactory()
    public = verification.certificate_public(cert, base_url="https://imh.example")
    assert public["verification_url"] == f"https://imh.example/verify/{cert.code}/"


# Rate limits ---------------------------------------------------------------------------------


def test_page_lookups_are_rate_limited_per_client(client, settings):
    settings.IMH_VERIFY_RATE_LIMIT = 3
    code = _unused_code()
    for _ in range(3):
        assert client.get(_url(code)).status_code == 404
    response = client.get(_url(code))
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Too many checks" in response.content.decode()
    # Another address has its own allowance.
    assert client.get(_url(code), REMOTE_ADDR="10.1.2.3").status_code == 404
    # Forged forwarding headers do not buy a new allowance.
    assert client.get(_url(code), HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429


def test_rate_limit_lets_a_client_in_again_once_its_oldest_lookup_is_a_minute_old(client, settings):
    settings.IMH_VERIFY_RATE_LIMIT = 1
    code = _unused_code()
    start = datetime.datetime(2027, 1, 1, 12, 0, 5, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        assert client.get(_url(code)).status_code == 404
        response = client.get(_url(code))
        assert response.status_code == 429
        assert response["Retry-After"] == "60"
    # A sliding window: a new minute on the clock is not enough, a minute since the lookup is.
    with time_machine.travel(start + datetime.timedelta(seconds=56), tick=False):
        response = client.get(_url(code))
        assert response.status_code == 429
        assert response["Retry-After"] == "4"
    with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
        assert client.get(_url(code)).status_code == 404


def test_forwarded_for_counts_only_behind_a_trusted_proxy(client, settings):
    settings.IMH_VERIFY_RATE_LIMIT = 1
    code = _unused_code()
    assert client.get(_url(code), HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 404
    assert client.get(_url(code), HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 429
    # Behind one trusted proxy, the address it appends is the client's own.
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert client.get(_url(code), HTTP_X_FORWARDED_FOR="3.3.3.3").status_code == 404
    assert client.get(_url(code), HTTP_X_FORWARDED_FOR="3.3.3.3").status_code == 429
    assert client.get(_url(code), HTTP_X_FORWARDED_FOR="4.4.4.4").status_code == 404
