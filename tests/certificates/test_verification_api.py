"""The JSON API: /api/v1/certificates/<code>/."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from imh_certificates.models import Certificate, code_generate
from tests.certificates.factories import CertificateFactory

pytestmark = pytest.mark.django_db

FIELDS = {
    "code",
    "status",
    "holder_name",
    "kind",
    "title",
    "cpd_hours",
    "completed_on",
    "issued_on",
    "expires_on",
    "revoked_on",
    "revocation_reason",
    "superseded_by",
    "issuer",
    "signatory",
    "competencies",
    "sessions",
    "verification_url",
}


def _api(code: str) -> str:
    return reverse("imh_certificates:api_certificate", kwargs={"code": code})


def test_valid_certificate(client):
    cert = CertificateFactory(
        holder_name="Priya Shah",
        title="Attachment in the first year",
        cpd_hours="2.5",
        completed_on=datetime.date(2026, 3, 4),
        expires_on=datetime.date(2029, 3, 4),
        issuer_name="Northshire IMH Network",
        sessions=[{"title": "Live case discussion", "date": "2026-02-20"}],
    )
    response = client.get(_api(cert.code))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert set(data) == FIELDS
    assert data["code"] == cert.code
    assert data["status"] == "valid"
    assert data["holder_name"] == "Priya Shah"
    assert data["cpd_hours"] == "2.5"
    assert data["completed_on"] == "2026-03-04"
    assert data["issued_on"] == timezone.localdate(cert.issued_at).isoformat()
    assert data["expires_on"] == "2029-03-04"
    assert data["revoked_on"] is None
    assert data["revocation_reason"] is None
    assert data["superseded_by"] is None
    assert data["issuer"] == "Northshire IMH Network"
    assert data["signatory"] == {"name": "Dr Sam Carter", "role": "Clinical lead"}
    assert data["competencies"][0]["code"] == "IMH-1.1"
    assert data["competencies"][0]["level_label"] == "Awareness"
    assert data["sessions"] == [{"title": "Live case discussion", "date": "2026-02-20"}]
    assert data["verification_url"] == f"http://testserver/verify/{cert.code}/"


def test_whole_hours_have_no_trailing_zero(client):
    cert = CertificateFactory(cpd_hours="3.0")
    assert client.get(_api(cert.code)).json()["cpd_hours"] == "3"


def test_lower_case_code_is_found(client):
    cert = CertificateFactory()
    assert client.get(_api(cert.code.lower().replace("-", ""))).json()["code"] == cert.code


def test_expired(client):
    cert = CertificateFactory(expires_on=datetime.date(2027, 1, 31))
    with time_machine.travel(datetime.datetime(2027, 2, 1, 12, tzinfo=datetime.UTC)):
        data = client.get(_api(cert.code)).json()
    assert data["status"] == "expired"
    assert data["expires_on"] == "2027-01-31"


def test_revoked(client):
    cert = CertificateFactory()
    cert.status = Certificate.Status.REVOKED
    cert.revoked_reason = "Issued in error."
    cert.revoked_at = timezone.now()
    cert.save()
    data = client.get(_api(cert.code)).json()
    assert data["status"] == "revoked"
    assert data["revocation_reason"] == "Issued in error."
    assert data["revoked_on"] == timezone.localdate().isoformat()


def test_superseded(client):
    old = CertificateFactory()
    new = CertificateFactory(holder=old.holder, source_id=424242)
    old.status = Certificate.Status.SUPERSEDED
    old.superseded_by = new
    old.save()
    data = client.get(_api(old.code)).json()
    assert data["status"] == "superseded"
    assert data["superseded_by"] == new.code


def test_not_found_has_one_shape(client):
    bodies = []
    for code in (code_generate(), "NOT-A-CODE", "0000-0000-0000-0000-0000", "A" * 65, "9" * 4000):
        response = client.get(_api(code))
        assert response.status_code == 404
        assert response["Access-Control-Allow-Origin"] == "*"
        bodies.append(response.json())
    assert bodies[0] == {"error": "not_found", "message": bodies[0]["message"]}
    assert all(body == bodies[0] for body in bodies)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_only_get(client, method):
    cert = CertificateFactory()
    response = getattr(client, method)(_api(cert.code))
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_preflight(client):
    response = client.options(_api(code_generate()))
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]


def test_one_query_and_no_session(client, django_assert_max_num_queries):
    cert = CertificateFactory(superseded_by=None)
    with django_assert_max_num_queries(2) as captured:
        assert client.get(_api(cert.code)).status_code == 200
    assert len(captured.captured_queries) == 1


def test_malformed_and_unknown_do_the_same_queries(client):
    with CaptureQueriesContext(connection) as unknown:
        client.get(_api(code_generate()))
    with CaptureQueriesContext(connection) as malformed:
        client.get(_api("x" * 300))
    assert len(unknown.captured_queries) == len(malformed.captured_queries) >= 1


def test_rate_limited_with_json_and_retry_after(client, settings):
    settings.IMH_VERIFY_API_RATE_LIMIT = 2
    cert = CertificateFactory()
    assert client.get(_api(cert.code)).status_code == 200
    assert client.get(_api(cert.code)).status_code == 200
    response = client.get(_api(cert.code))
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    data = response.json()
    assert data["error"] == "rate_limited"
    assert "Try again" in data["message"]
    assert response["Access-Control-Allow-Origin"] == "*"
    # The page has its own allowance.
    assert client.get(f"/verify/{cert.code}/").status_code == 200


def test_hostile_text_is_returned_as_data(client):
    cert = CertificateFactory(holder_name='<img src="file:///etc/passwd">')
    assert client.get(_api(cert.code)).json()["holder_name"] == '<img src="file:///etc/passwd">'
