"""Certificate PDF downloads: the holder, their managers and admins; everyone else gets a 404."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import reverse
from wagtail import hooks

from imh_certificates.models import Certificate
from imh_core.hooks import IMH_CERTIFICATE_MANAGER_POLICIES
from tests.certificates.factories import CertificateFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.7 test certificate"


@pytest.fixture
def holder():
    return UserFactory(first_name="Mina", last_name="Patel")


@pytest.fixture
def certificate(holder) -> Certificate:
    certificate = CertificateFactory(holder=holder)
    certificate.pdf.save(f"certificate-{certificate.code}.pdf", ContentFile(PDF_BYTES), save=False)
    certificate.pdf_status = Certificate.PdfStatus.READY
    certificate.save()
    return certificate


@pytest.fixture
def manager(holder):
    """A manager whom a manager policy says manages ``holder`` (and nobody else)."""
    person = UserFactory()

    def policy(user, someone):
        return user.pk == person.pk and someone.pk == holder.pk

    with hooks.register_temporarily(IMH_CERTIFICATE_MANAGER_POLICIES, policy):
        yield person


def _url(certificate: Certificate, code: str | None = None) -> str:
    return reverse("imh_certificates:certificate_pdf", args=[code or certificate.code])


def _assert_pdf(response, certificate):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="certificate-{certificate.code}.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_holder_downloads_their_pdf(client, holder, certificate):
    client.force_login(holder)

    _assert_pdf(client.get(_url(certificate)), certificate)


def test_code_may_be_typed_in_lower_case_without_dashes(client, holder, certificate):
    client.force_login(holder)

    response = client.get(_url(certificate, certificate.code.replace("-", "").lower()))

    _assert_pdf(response, certificate)


def test_manager_of_the_holder_downloads_the_pdf(client, manager, certificate):
    client.force_login(manager)

    _assert_pdf(client.get(_url(certificate)), certificate)


def test_admin_with_view_permission_downloads_the_pdf(client, certificate):
    admin = UserFactory()
    admin.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="imh_certificates", codename="view_certificate"
        )
    )
    client.force_login(admin)

    _assert_pdf(client.get(_url(certificate)), certificate)


def test_superuser_downloads_the_pdf(client, certificate):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    _assert_pdf(client.get(_url(certificate)), certificate)


def test_other_trainee_gets_not_found(client, certificate):
    client.force_login(UserFactory())

    assert client.get(_url(certificate)).status_code == 404


def test_manager_of_someone_else_gets_not_found(client, manager, certificate):
    other = CertificateFactory()  # holder not managed by ``manager``
    other.pdf_status = Certificate.PdfStatus.READY
    other.pdf.save("other.pdf", ContentFile(PDF_BYTES))
    client.force_login(manager)

    assert client.get(_url(other)).status_code == 404
    assert client.get(_url(certificate)).status_code == 200


def test_not_found_looks_the_same_for_real_and_unknown_codes(client, certificate):
    client.force_login(UserFactory())

    real = client.get(_url(certificate))
    unknown = client.get(_url(certificate, "AAAA-AAAA-AAAA-AAAA-AAAA"))

    assert real.status_code == unknown.status_code == 404
    # The site's language switcher is a form, and its CSRF token is new in every response.
    csrf = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
    assert csrf.sub(b"CSRF", real.content) == csrf.sub(b"CSRF", unknown.content)


@pytest.mark.parametrize("code", ["nope", "0000-0000-0000-0000-0000", "A" * 200, "%00"])
def test_malformed_codes_get_not_found(client, holder, code):
    client.force_login(holder)

    assert client.get(f"/certificates/{code}/pdf/").status_code == 404


def test_anonymous_visitor_is_sent_to_log_in(client, certificate):
    response = client.get(_url(certificate))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_inactive_holder_cannot_download(client, holder, certificate):
    client.force_login(holder)
    holder.is_active = False
    holder.save()

    assert client.get(_url(certificate)).status_code in (302, 404)


def test_pdf_not_ready_shows_a_friendly_page(client, holder):
    certificate = CertificateFactory(holder=holder)
    client.force_login(holder)

    response = client.get(_url(certificate))

    assert response.status_code == 202
    content = response.content.decode()
    assert "Your certificate is being prepared" in content
    assert "refresh this page in a minute" in content
    assert certificate.code in content
    assert f"/verify/{certificate.code}/" in content


def test_pdf_that_gave_up_says_so(client, holder):
    certificate = CertificateFactory(holder=holder, pdf_status=Certificate.PdfStatus.GAVE_UP)
    client.force_login(holder)

    response = client.get(_url(certificate))

    assert response.status_code == 202
    assert "could not make its PDF" in response.content.decode()


def test_pending_pdf_of_someone_else_is_not_found(client):
    certificate = CertificateFactory()
    client.force_login(UserFactory())

    assert client.get(_url(certificate)).status_code == 404


def test_post_is_not_allowed(client, holder, certificate):
    client.force_login(holder)

    assert client.post(_url(certificate)).status_code == 405
