"""Certificate templates in the Wagtail admin: educators edit them and preview a sample PDF."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from imh_certificates.models import Certificate, CertificateTemplate
from tests.certificates.factories import CertificateTemplateFactory
from tests.certificates.pdftools import pdf_info, pdf_text, requires_poppler
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def educator():
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Educators"))
    return user


@pytest.fixture
def template():
    return CertificateTemplateFactory(
        name="Trust certificate",
        heading="Certificate of learning",
        issuer_name="Northshire Health Trust",
        signatory_name="Dr Lee Park",
    )


def _preview_url(template: CertificateTemplate) -> str:
    return reverse("certificates_templates:preview_pdf", args=[template.pk])


def test_educators_may_add_change_and_view_templates(educator):
    for action in ("add", "change", "view"):
        assert educator.has_perm(f"imh_certificates.{action}_certificatetemplate")
    assert not educator.has_perm("imh_certificates.delete_certificatetemplate")


def test_list_and_edit_pages_offer_the_preview(client, educator, template):
    client.force_login(educator)

    listing = client.get(reverse("certificates_templates:list"))
    edit = client.get(reverse("certificates_templates:edit", args=[template.pk]))

    assert listing.status_code == 200
    assert "Trust certificate" in listing.content.decode()
    assert _preview_url(template) in listing.content.decode()
    assert edit.status_code == 200
    assert _preview_url(template) in edit.content.decode()
    assert "Preview PDF" in edit.content.decode()


@requires_poppler
def test_preview_renders_a_sample_certificate_inline(client, educator, template):
    client.force_login(educator)

    response = client.get(_preview_url(template))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    text = pdf_text(response.content)
    assert "Certificate of learning" in text
    assert "Northshire Health Trust" in text
    assert "Dr Lee Park" in text
    assert "Sam Sample" in text
    assert "not a real certificate" in text
    assert pdf_info(response.content)["Tagged"] == "yes"
    assert not Certificate.objects.exists()


def test_edit_changes_what_the_preview_shows(client, educator, template):
    client.force_login(educator)

    response = client.post(
        reverse("certificates_templates:edit", args=[template.pk]),
        {
            "name": template.name,
            "issuer_name": "Renamed Trust",
            "primary_colour": "#330072",
            "accent_colour": "#FFB81C",
            "heading": "Certificate of learning",
            "wording": "has completed",
            "signatory_name": "",
            "signatory_role": "",
        },
    )

    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.issuer_name, template.primary_colour) == ("Renamed Trust", "#330072")


def test_a_colour_that_is_not_hex_is_refused_and_nothing_is_stored(client, educator):
    client.force_login(educator)

    response = client.post(
        reverse("certificates_templates:add"),
        {
            "name": "Bad colours",
            "issuer_name": "Trust",
            "primary_colour": "red;}",
            "accent_colour": "#41B6E6",
            "heading": "Certificate",
            "wording": "has completed",
        },
    )

    assert response.status_code == 200
    assert not CertificateTemplate.objects.filter(name="Bad colours").exists()


def test_admin_user_without_template_rights_cannot_preview(client, template):
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)

    response = client.get(_preview_url(template))

    assert response.status_code in (302, 403)
    assert response.get("Content-Type") != "application/pdf"


def test_trainee_and_anonymous_cannot_preview(client, template):
    anonymous = client.get(_preview_url(template))
    client.force_login(UserFactory())
    trainee = client.get(_preview_url(template))

    for response in (anonymous, trainee):
        assert response.status_code in (302, 403)
        assert response.get("Content-Type") != "application/pdf"


def test_preview_of_an_unknown_template_is_not_found(client, educator):
    client.force_login(educator)

    assert (
        client.get(reverse("certificates_templates:preview_pdf", args=[999999])).status_code == 404
    )
