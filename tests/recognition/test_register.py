"""The public register at /recognition/register/: who is listed, search, filters, paging."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from imh_recognition import register
from imh_recognition.models import Recognition
from tests.recognition.register_factories import make_recognition, make_scheme

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)
URL = "/recognition/register/"


def _names(response) -> list[str]:
    return [entry.display_name for entry in response.context["page"].object_list]


def test_url_name():
    assert reverse("imh_recognition:register") == URL


@time_machine.travel(datetime.datetime(2026, 6, 1, 12, 0), tick=False)
def test_lists_only_active_consenting_and_in_date(client):
    scheme = make_scheme()
    make_recognition(scheme=scheme, name="Ann Listed")
    make_recognition(scheme=scheme, name="Ben Private", public=False)
    make_recognition(scheme=scheme, name="Cai Lapsed", status=Recognition.Status.LAPSED)
    make_recognition(scheme=scheme, name="Dee Revoked", status=Recognition.Status.REVOKED)
    make_recognition(scheme=scheme, name="Eve Superseded", status=Recognition.Status.SUPERSEDED)
    # Out of date but not yet marked lapsed by the nightly job.
    make_recognition(
        scheme=scheme,
        name="Fay Outofdate",
        granted_on=TODAY - datetime.timedelta(days=400),
        valid_until=TODAY - datetime.timedelta(days=1),
    )
    make_recognition(scheme=scheme, name="Gus Lastday", valid_until=TODAY)

    response = client.get(URL)

    assert response.status_code == 200
    assert _names(response) == ["Ann Listed", "Gus Lastday"]
    html = response.content.decode()
    assert "Ben Private" not in html
    assert "Cai Lapsed" not in html
    assert "Fay Outofdate" not in html


def test_shows_register_fields_and_links_to_verification_but_no_email(client):
    entry = make_recognition(name="Priya Shah", area_of_practice="health_visiting", region="london")
    response = client.get(URL)
    html = response.content.decode()
    for expected in (
        "Priya Shah",
        entry.scheme.title,
        "Health visiting",
        "London",
        f"{entry.valid_until:%-d %B %Y}",
        reverse("imh_recognition:verify_code", kwargs={"code": entry.code}),
    ):
        assert expected in html, expected
    assert entry.person.email not in html


def test_search_by_name_matches_every_word_in_any_order_and_case(client):
    scheme = make_scheme()
    make_recognition(scheme=scheme, name="Priya Shah")
    make_recognition(scheme=scheme, name="Priya Patel")
    make_recognition(scheme=scheme, name="Sam Shah")
    assert _names(client.get(URL, {"q": "shah"})) == ["Priya Shah", "Sam Shah"]
    assert _names(client.get(URL, {"q": "SHAH priya"})) == ["Priya Shah"]
    response = client.get(URL, {"q": "Nobody"})
    assert _names(response) == []
    assert "No practitioners on the register match your search" in response.content.decode()


def test_filters_by_level_area_and_region(client):
    framework_scheme = make_scheme(level=2)
    specialist = make_scheme(level=3, framework=framework_scheme.framework)
    make_recognition(scheme=framework_scheme, name="Ann A", area_of_practice="midwifery")
    make_recognition(scheme=specialist, name="Ben B", region="wales")
    make_recognition(scheme=specialist, name="Cai C", area_of_practice="midwifery", region="wales")

    assert _names(client.get(URL, {"scheme": specialist.pk})) == ["Ben B", "Cai C"]
    assert _names(client.get(URL, {"area": "midwifery"})) == ["Ann A", "Cai C"]
    assert _names(client.get(URL, {"region": "wales", "area": "midwifery"})) == ["Cai C"]
    html = client.get(URL).content.decode()
    assert '<label class="nhsuk-label" for="id_region">Region</label>' in html
    assert "Practitioner" in html
    assert "Specialist" in html


def test_invalid_filter_shows_an_error_not_a_crash(client):
    make_recognition(name="Ann A")
    response = client.get(URL, {"region": "atlantis"})
    assert response.status_code == 200
    assert "nhsuk-error-summary" in response.content.decode()


def test_withdrawing_consent_removes_the_entry_at_once(client):
    entry = make_recognition(name="Priya Shah")
    assert _names(client.get(URL)) == ["Priya Shah"]
    from imh_recognition.renewal import recognition_set_public

    recognition_set_public(person=entry.person, recognition=entry, public=False)
    assert _names(client.get(URL)) == []


def test_paginated_and_pages_keep_the_filters(client):
    scheme = make_scheme()
    for n in range(register.REGISTER_PAGE_SIZE + 3):
        make_recognition(scheme=scheme, name=f"Person {n:02d}", region="london")
    first = client.get(URL, {"region": "london"})
    assert len(first.context["page"].object_list) == register.REGISTER_PAGE_SIZE
    html = first.content.decode()
    assert "region=london&amp;page=2" in html
    assert 'aria-label="Pages of the register"' in html
    assert "Showing 1 to 20 of 23 practitioners." in html
    second = client.get(URL, {"region": "london", "page": 2})
    assert _names(second) == [f"Person {n:02d}" for n in range(20, 23)]


def test_query_count_does_not_grow_with_entries(client):
    scheme = make_scheme()
    make_recognition(scheme=scheme, name="Ann A")
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"q": "a"})
    for n in range(10):
        make_recognition(scheme=scheme, name=f"Ann {n}")
    with CaptureQueriesContext(connection) as many:
        client.get(URL, {"q": "a"})
    assert len(many.captured_queries) == len(few.captured_queries)
