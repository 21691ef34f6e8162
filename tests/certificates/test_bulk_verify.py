"""Bulk verification for employer managers: upload a CSV of codes, see and download results."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from imh_certificates import verification
from imh_certificates.models import Certificate, code_generate
from tests.certificates.factories import CertificateFactory
from tests.factories import UserFactory
from tests.organisations.factories import ManagerMembershipFactory, MembershipFactory

pytestmark = pytest.mark.django_db

URL = "/certificates/verify-many/"
DOWNLOAD_URL = "/certificates/verify-many/download/"


@pytest.fixture
def manager_client(client):
    manager = ManagerMembershipFactory().user
    client.force_login(manager)
    return client


def _upload(client, content: bytes | str, name: str = "codes.csv"):
    if isinstance(content, str):
        content = content.encode()
    return client.post(URL, {"file": SimpleUploadedFile(name, content, "text/csv")})


def _rows(response) -> list[verification.BulkRow]:
    return response.context["rows"]


def test_urls():
    assert reverse("imh_certificates:verify_many") == URL
    assert reverse("imh_certificates:verify_many_download") == DOWNLOAD_URL


# Who may use it --------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_staff_who_manage_nobody_are_refused(client):
    client.force_login(MembershipFactory().user)
    assert client.get(URL).status_code == 403
    assert _upload(client, "code\n").status_code == 403
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 403


def test_managers_see_the_upload_form(manager_client):
    response = manager_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'for="id_file"' in html
    assert "1000 codes" in html or "1,000 codes" in html


def test_superusers_may_use_it(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(URL).status_code == 200


# Happy path ------------------------------------------------------------------------------------


def test_results_in_file_order_with_statuses(manager_client):
    valid = CertificateFactory(holder_name="Priya Shah", title="Attachment")
    revoked = CertificateFactory()
    revoked.status = Certificate.Status.REVOKED
    revoked.revoked_reason = "Issued in error"
    revoked.revoked_at = timezone.now()
    revoked.save()
    unknown = code_generate()
    content = (
        "\ufeffName,Certificate code\n"
        f"Priya,{valid.code.lower().replace('-', ' ')}\n"
        f"Sam,{revoked.code}\n"
        ",\n"
        f"Jo,{unknown}\n"
        "Kim,not-a-code\n"
    )
    response = _upload(manager_client, content)
    assert response.status_code == 200
    rows = _rows(response)
    assert [(r.row, r.status) for r in rows] == [
        (2, "valid"),
        (3, "revoked"),
        (5, "not_found"),
        (6, "invalid"),
    ]
    assert rows[0].typed == valid.code.lower().replace("-", " ")
    html = response.content.decode()
    assert "Priya Shah" in html
    assert "Issued in error" in html
    assert "4 codes checked" in html
    assert f'href="/verify/{valid.code}/"' in html


def test_first_column_without_header(manager_client):
    cert = CertificateFactory()
    response = _upload(manager_client, f"{cert.code}\r\n{cert.code},other\r\n")
    rows = _rows(response)
    assert [r.status for r in rows] == ["valid", "valid"]


def test_semicolon_separated_file_with_header(manager_client):
    cert = CertificateFactory()
    response = _upload(manager_client, f"ref;code\n1;{cert.code}\n2;{cert.code}\n")
    assert [r.status for r in _rows(response)] == ["valid", "valid"]


def test_one_lookup_query_whatever_the_number_of_rows(manager_client):
    few = [CertificateFactory().code for _ in range(2)]
    many = [CertificateFactory().code for _ in range(40)] + ["bad"] * 10
    _upload(manager_client, code_generate())  # first-request caches (site, navigation)
    with CaptureQueriesContext(connection) as small:
        _upload(manager_client, "\n".join(few))
    with CaptureQueriesContext(connection) as large:
        response = _upload(manager_client, "\n".join(many))
    assert len(_rows(response)) == 50
    assert len(small.captured_queries) == len(large.captured_queries)
    lookups = [q for q in large.captured_queries if "certificates_certificate" in q["sql"]]
    assert len(lookups) == 1


# Bad files -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("codes.xlsx", b"PK\x03\x04rest", "must be a CSV file"),
        ("codes.csv", b"PK\x03\x04rest", "must be a CSV file"),
        ("codes.csv", b"", "The submitted file is empty"),
        ("codes.csv", b"code\n\n , \n", "has no certificate codes"),
        ("codes.csv", "ABCD\n".encode("utf-16"), "must be a CSV file"),
        ("codes.csv", "caf\xe9\n".encode("latin-1"), "UTF-8"),
    ],
)
def test_bad_files_get_a_clear_error(manager_client, name, content, message):
    response = _upload(manager_client, content, name=name)
    assert response.status_code == 400
    html = response.content.decode()
    assert "nhsuk-error-summary" in html
    assert 'href="#id_file"' in html
    assert message in html


def test_no_file(manager_client):
    response = manager_client.post(URL, {})
    assert response.status_code == 400
    assert "Select a CSV file of certificate codes" in response.content.decode()


def test_too_many_rows(manager_client, settings):
    settings.IMH_VERIFY_BULK_MAX_ROWS = 3
    response = _upload(manager_client, "\n".join(code_generate() for _ in range(4)))
    assert response.status_code == 400
    assert "no more than 3 codes" in response.content.decode()


def test_too_big(manager_client, settings):
    settings.IMH_VERIFY_BULK_MAX_BYTES = 100
    response = _upload(manager_client, "\n".join(code_generate() for _ in range(10)))
    assert response.status_code == 400
    assert "must be smaller than" in response.content.decode()


def test_the_default_limits():
    assert verification.bulk_max_rows() == 1000
    assert verification.bulk_max_bytes() == 1024 * 1024


def test_uploads_are_rate_limited(manager_client, settings):
    settings.IMH_VERIFY_BULK_RATE_LIMIT = 1
    assert _upload(manager_client, code_generate()).status_code == 200
    response = _upload(manager_client, code_generate())
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1


# Download --------------------------------------------------------------------------------------


def test_download_results_as_csv(manager_client):
    cert = CertificateFactory(holder_name='=HYPERLINK("http://evil.example")', title="+SUM(A1)")
    response = _upload(manager_client, f"code\n{cert.code}\n@cmd\n-2+3\n")
    codes = response.context["codes_json"]
    assert json.loads(codes) == [[2, cert.code], [3, "@cmd"], [4, "-2+3"]]
    download = manager_client.post(DOWNLOAD_URL, {"codes": codes})
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"].startswith('attachment; filename="certificate-checks-')
    text = download.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == verification.CSV_HEADER
    assert rows[1][:7] == [
        "2",
        cert.code,
        cert.code,
        "Valid",
        "",
        '\'=HYPERLINK("http://evil.example")',
        "'+SUM(A1)",
    ]
    assert rows[1][-1] == f"http://testserver/verify/{cert.code}/"
    assert rows[2][:4] == ["3", "'@cmd", "", "Not a certificate code"]
    assert rows[3][:4] == ["4", "'-2+3", "", "Not a certificate code"]
    # The results page escapes what it shows.
    assert "=HYPERLINK(&quot;http://evil.example&quot;)" in response.content.decode()


def test_download_refuses_nonsense(manager_client):
    response = manager_client.post(DOWNLOAD_URL, {"codes": "not json"})
    assert response.status_code == 302
    response = manager_client.post(DOWNLOAD_URL, {"codes": json.dumps([[1, "a"]] * 1001)})
    assert response.status_code == 302


def test_download_is_for_managers_only(client):
    client.force_login(UserFactory())
    assert client.post(DOWNLOAD_URL, {"codes": json.dumps([[1, "a"]])}).status_code == 403


def test_csv_safe():
    assert verification.csv_safe("=1+1") == "'=1+1"
    assert verification.csv_safe("\t=1") == "'\t=1"
    assert verification.csv_safe("Priya") == "Priya"
    assert verification.csv_safe(None) == ""


def test_download_with_deeply_nested_codes_goes_back_to_the_form(manager_client):
    response = manager_client.post(DOWNLOAD_URL, {"codes": "[" * 100_000})
    assert response.status_code == 302
    assert response["Location"] == reverse("imh_certificates:verify_many")
