"""Admin: revoking a recognition (assessors only) and the inspect page's buttons."""

from __future__ import annotations

import pytest
from django.urls import reverse

from imh_recognition.models import Recognition
from tests.factories import UserFactory
from tests.recognition.register_factories import make_assessor, make_recognition

pytestmark = pytest.mark.django_db


def test_inspect_page_offers_revoke_to_assessors(client):
    entry = make_recognition()
    client.force_login(make_assessor())
    html = client.get(reverse("recognitions_admin:inspect", args=[entry.pk])).content.decode()
    assert reverse("recognition_revoke", args=[entry.pk]) in html
    assert reverse("imh_recognition:verify_code", args=[entry.code]) in html


def test_assessor_revokes_with_a_reason(client, django_capture_on_commit_callbacks):
    entry = make_recognition()
    client.force_login(make_assessor())
    url = reverse("recognition_revoke", args=[entry.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert "Enter the reason for revoking" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Evidence was not genuine."})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == Recognition.Status.REVOKED
    page = client.get(reverse("imh_recognition:verify_code", args=[entry.code])).content.decode()
    assert "This recognition has been revoked" in page
    assert "Evidence was not genuine" not in page


def test_others_cannot_revoke(client):
    entry = make_recognition()
    client.force_login(UserFactory(is_staff=True, is_superuser=False))
    response = client.post(reverse("recognition_revoke", args=[entry.pk]), {"reason": "x"})
    assert response.status_code in (302, 403)
    entry.refresh_from_db()
    assert entry.status == Recognition.Status.ACTIVE
