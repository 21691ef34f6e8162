"""The signed clip stream: Range, privacy headers, token expiry, other people, deleted clips."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.test import override_settings
from django.utils import timezone

from imh_reliability import services
from imh_reliability.models import ClipView
from imh_reliability.streaming import parse_range
from tests.factories import UserFactory
from tests.reliability.factories import WEBM, make_test

pytestmark = pytest.mark.django_db


@pytest.fixture
def rating(client):
    test = make_test(references=[[1, 2]])
    user = UserFactory()
    attempt = services.attempt_start(user=user, test=test)
    clip = test.clips.get()
    client.force_login(user)
    url = services.clip_url(clip=clip, user=user, purpose="rating", attempt=attempt)
    return {"user": user, "attempt": attempt, "clip": clip, "url": url, "test": test}


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_whole_file_with_private_headers_and_one_log(client, rating):
    response = client.get(rating["url"], HTTP_USER_AGENT="Test browser")
    assert response.status_code == 200
    assert body(response) == WEBM
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == "inline"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "video/webm"
    assert response["Accept-Ranges"] == "bytes"
    view = ClipView.objects.get()
    assert view.user == rating["user"]
    assert view.attempt == rating["attempt"]
    assert view.purpose == "rating"
    assert view.user_agent == "Test browser"


def test_range_requests_for_seeking_log_only_the_start(client, rating):
    first = client.get(rating["url"], HTTP_RANGE="bytes=0-")
    assert first.status_code == 206
    assert first["Content-Range"] == f"bytes 0-{len(WEBM) - 1}/{len(WEBM)}"
    assert body(first) == WEBM
    middle = client.get(rating["url"], HTTP_RANGE="bytes=100-199")
    assert middle.status_code == 206
    assert middle["Content-Length"] == "100"
    assert middle["Content-Range"] == f"bytes 100-199/{len(WEBM)}"
    assert body(middle) == WEBM[100:200]
    assert ClipView.objects.count() == 1
    too_far = client.get(rating["url"], HTTP_RANGE=f"bytes={len(WEBM) + 5}-")
    assert too_far.status_code == 416
    assert too_far["Content-Range"] == f"bytes */{len(WEBM)}"


def test_parse_range_suffix_and_open():
    assert parse_range("bytes=-10", 100) == (90, 99)
    assert parse_range("bytes=10-", 100) == (10, 99)
    assert parse_range("bytes=10-500", 100) == (10, 99)
    assert parse_range("bytes=50-10", 100) is False
    assert parse_range("items=1-2", 100) is None


@override_settings(IMH_RELIABILITY_CLIP_URL_SECONDS=300)
def test_expired_token_is_refused(client, rating):
    later = timezone.now() + datetime.timedelta(seconds=301)
    with time_machine.travel(later, tick=False):
        response = client.get(rating["url"])
    assert response.status_code == 403
    assert b"expired" in response.content
    assert response["Cache-Control"] == "private, no-store"
    assert not ClipView.objects.exists()


def test_another_users_token_is_refused(client, rating):
    client.force_login(UserFactory())
    response = client.get(rating["url"])
    assert response.status_code == 403
    assert b"someone else" in response.content
    assert not ClipView.objects.exists()


def test_forged_token_is_404(client, rating):
    response = client.get(rating["url"].replace("/clips/", "/clips/x"))
    assert response.status_code == 404
    assert b"not valid" in response.content


def test_anonymous_is_sent_to_sign_in(client, rating):
    client.logout()
    response = client.get(rating["url"])
    assert response.status_code == 302


def test_deleted_clip_is_gone(client, rating, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.clip_file_delete(clip=rating["clip"])
    response = client.get(rating["url"])
    assert response.status_code == 410
    assert b"retention" in response.content


def test_admin_preview_needs_permission(client, rating):
    user = UserFactory()
    client.force_login(user)
    url = services.clip_url(clip=rating["clip"], user=user, purpose="admin_preview")
    assert client.get(url).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="view_clip"))
    response = client.get(url)
    assert response.status_code == 200
    assert ClipView.objects.get().purpose == "admin_preview"


def test_clip_is_stored_privately(rating):
    assert rating["clip"].file.name.startswith("private/reliability/clips/")
