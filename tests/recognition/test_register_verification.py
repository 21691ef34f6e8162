"""Verification of a recognition by its code: /recognition/verify/ and the JSON API."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from imh_certificates.models import code_generate
from imh_recognition.models import Recognition
from tests.recognition.register_factories import make_recognition

pytestmark = pytest.mark.django_db


def _page(code: str) -> str:
    return reverse("imh_recognition:verify_code", kwargs={"code": code})


def _api(code: str) -> str:
    return f"/api/v1/recognitions/{code}/"


def test_urls():
    assert reverse("imh_recognition:verify") == "/recognition/verify/"
    assert _page("X") == "/recognition/verify/X/"
    assert reverse("imh_recognition_api:api_recognition", kwargs={"code": "X"}) == _api("X")


# The lookup form ----------------------------------------------------------------------------


def test_form_is_public_and_forgives_case_spaces_and_dashes(client):
    entry = make_recognition()
    response = client.get("/recognition/verify/")
    assert response.status_code == 200
    assert '<label class="nhsuk-label" for="id_code">Recognition code</label>' in (
        response.content.decode()
    )
    typed = " " + entry.code.replace("-", " ").lower() + " "
    response = client.get("/recognition/verify/", {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == _page(entry.code)


@pytest.mark.parametrize(
    ("typed", "message"),
    [("", "Enter the recognition code"), ("ABCD", "exactly as it was given to you")],
)
def test_form_errors_use_the_error_summary(client, typed, message):
    html = client.get("/recognition/verify/", {"code": typed}).content.decode()
    assert "nhsuk-error-summary" in html
    assert 'href="#id_code"' in html
    assert message in html


# The page -----------------------------------------------------------------------------------


@time_machine.travel(datetime.datetime(2026, 6, 1, 12, 0), tick=False)
def test_valid_and_listed_shows_register_details(client):
    entry = make_recognition(
        name="Priya Shah",
        area_of_practice="health_visiting",
        region="north_west",
        granted_on=datetime.date(2025, 1, 10),
        valid_until=datetime.date(2028, 1, 10),
    )
    response = client.get(_page(entry.code))
    assert response.status_code == 200
    assert response["X-Robots-Tag"].startswith("noindex")
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    for expected in (
        "This recognition is valid",
        "Priya Shah holds valid recognition at level Practitioner, until 10 January 2028.",
        entry.scheme.title,
        "Health visiting",
        "North West",
        "10 January 2025",
        entry.code,
    ):
        assert expected in html, expected
    assert entry.person.email not in html


def test_valid_but_not_listed_shows_only_name_level_and_dates(client):
    entry = make_recognition(name="Ben Private", public=False, region="london")
    html = client.get(_page(entry.code)).content.decode()
    assert "This recognition is valid" in html
    assert "Ben Private" in html
    assert "Practitioner" in html
    assert f"{entry.valid_until:%-d %B %Y}" in html
    assert "London" not in html
    assert "Health visiting" not in html
    assert "chosen not to appear on the public register" in html


def test_lapsed_by_date_before_the_nightly_job(client):
    entry = make_recognition(
        granted_on=datetime.date(2020, 1, 1), valid_until=datetime.date(2023, 1, 1)
    )
    assert entry.status == Recognition.Status.ACTIVE
    html = client.get(_page(entry.code)).content.decode()
    assert "This recognition has lapsed" in html
    assert "ended on 1 January 2023" in html
    assert "North West" not in html  # no longer listed


def test_revoked_does_not_publish_the_reason(client):
    entry = make_recognition(
        status=Recognition.Status.REVOKED, revoked_reason="A private matter of conduct."
    )
    html = client.get(_page(entry.code)).content.decode()
    assert "This recognition has been revoked" in html
    assert "A private matter of conduct" not in html


def test_superseded_links_to_the_renewal(client):
    old = make_recognition(status=Recognition.Status.SUPERSEDED)
    new = make_recognition(person=old.person, scheme=old.scheme, renews=old)
    html = client.get(_page(old.code)).content.decode()
    assert "This recognition has been renewed" in html
    assert _page(new.code) in html


def test_unknown_and_malformed_codes_are_the_same_not_found(client):
    for code in (code_generate(), "NOT-A-CODE", "9" * 400):
        response = client.get(_page(code))
        assert response.status_code == 404
        assert "No recognition has this code" in response.content.decode()


def test_lower_case_code_redirects_to_canonical(client):
    entry = make_recognition()
    response = client.get(_page(entry.code.lower()))
    assert response.status_code == 302
    assert response["Location"] == _page(entry.code)


def test_page_rate_limited(client, settings):
    settings.IMH_RECOGNITION_VERIFY_RATE_LIMIT = 2
    entry = make_recognition()
    assert client.get(_page(entry.code)).status_code == 200
    assert client.get(_page(entry.code)).status_code == 200
    response = client.get(_page(entry.code))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many checks" in response.content.decode()


# The API ------------------------------------------------------------------------------------


@time_machine.travel(datetime.datetime(2026, 6, 1, 12, 0), tick=False)
def test_api_valid_and_listed(client):
    entry = make_recognition(
        name="Priya Shah",
        area_of_practice="health_visiting",
        region="north_west",
        granted_on=datetime.date(2025, 1, 10),
        valid_until=datetime.date(2028, 1, 10),
    )
    response = client.get(_api(entry.code.replace("-", "").lower()))
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "code": entry.code,
        "status": "valid",
        "name": "Priya Shah",
        "scheme": entry.scheme.title,
        "framework": entry.scheme.framework.name,
        "level": 2,
        "level_label": "Practitioner",
        "listed_on_register": True,
        "area_of_practice": {"code": "health_visiting", "label": "Health visiting"},
        "region": {"code": "north_west", "label": "North West"},
        "granted_on": "2025-01-10",
        "valid_until": "2028-01-10",
        "superseded_by": None,
        "revoked_on": None,
        "verification_url": f"http://testserver{_page(entry.code)}",
    }


@pytest.mark.parametrize(
    ("status", "public", "expected"),
    [
        (Recognition.Status.ACTIVE, False, "valid"),
        (Recognition.Status.LAPSED, True, "lapsed"),
        (Recognition.Status.REVOKED, True, "revoked"),
        (Recognition.Status.SUPERSEDED, True, "superseded"),
    ],
)
def test_api_statuses_and_unlisted_detail(client, status, public, expected):
    entry = make_recognition(status=status, public=public, revoked_reason="Private reason")
    data = client.get(_api(entry.code)).json()
    assert data["status"] == expected
    assert data["listed_on_register"] is False
    assert data["area_of_practice"] is None
    assert data["region"] is None
    assert "Private reason" not in str(data)


def test_api_unknown_code_is_404_json(client):
    for code in (code_generate(), "nope"):
        response = client.get(_api(code))
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"
        assert response["Access-Control-Allow-Origin"] == "*"


def test_api_only_reads(client):
    entry = make_recognition()
    response = client.post(_api(entry.code))
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert client.options(_api(entry.code)).status_code == 204


def test_api_rate_limited_with_json_and_retry_after(client, settings):
    settings.IMH_RECOGNITION_VERIFY_API_RATE_LIMIT = 2
    code = code_generate()
    client.get(_api(code))
    client.get(_api(code))
    response = client.get(_api(code))
    assert response.status_code == 429
    data = response.json()
    assert data["error"] == "rate_limited"
    assert int(response["Retry-After"]) == data["retry_after"] > 0
