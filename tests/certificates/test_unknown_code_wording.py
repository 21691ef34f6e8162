"""An unknown certificate code gets the same words from bulk checks, the API and the page."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imh_certificates import verification
from imh_certificates.models import Certificate, code_generate
from tests.organisations.factories import ManagerMembershipFactory

pytestmark = pytest.mark.django_db

WORDING = (
    "No certificate has this code. Check the code is typed exactly as it is printed on the "
    "certificate."
)


@pytest.fixture
def unknown() -> str:
    code = code_generate()
    assert not Certificate.objects.filter(code=code).exists()
    return code


def test_one_wording_is_kept_in_one_place():
    assert verification.NOT_FOUND_MESSAGE == WORDING


def test_the_api_uses_it(client, unknown):
    response = client.get(reverse("imh_certificates:api_certificate", args=[unknown]))
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "message": WORDING}


def test_bulk_checks_use_it_on_the_page_and_in_the_csv(client, unknown):
    client.force_login(ManagerMembershipFactory().user)
    upload = SimpleUploadedFile("codes.csv", f"code\n{unknown}\n".encode(), "text/csv")
    response = client.post(reverse("imh_certificates:verify_many"), {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert WORDING in html

    download = client.post(
        reverse("imh_certificates:verify_many_download"),
        {"codes": json.dumps([[2, unknown]])},
    )
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8").lstrip("\ufeff"))))
    assert [(row["Status"], row["Note"]) for row in rows] == [("Not found", WORDING)]


def test_the_verification_page_uses_it(client, unknown):
    response = client.get(reverse("imh_certificates:verify_code", args=[unknown]))
    assert response.status_code == 404
    assert WORDING in response.content.decode()
