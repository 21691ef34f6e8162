"""The H5P block and its sandboxed player: what the lesson page and the frame are given."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.utils.crypto import get_random_string
from wagtail.models import Page

from imh_assessments.blocks.h5p import H5PBlock
from imh_assessments.models import ActivityResult, H5PActivity
from imh_assessments.selectors.xapi import h5p_ids_passed
from imh_assessments.views.h5p import embed_url
from tests.assessments.xapi_helpers import bare_activity, demo_h5p_activity
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _render(activity: H5PActivity, user) -> str:
    request = RequestFactory().get("/learning/course/lesson/")
    request.user = user
    request.META["CSRF_COOKIE"] = get_random_string(32)
    block = H5PBlock()
    value = block.to_python({"activity": activity.pk, "required": True})
    return block.render(value, context={"request": request, "page": Page.objects.get(depth=2)})


def _src(html: str) -> str:
    return re.search(r'<iframe[^>]* src="([^"]+)"', html)[1].replace("&amp;", "&")


def test_block_declares_its_activity():
    activity = bare_activity()
    block = H5PBlock()
    assert block.activity_type == "h5p"
    assert block.activity_id(block.to_python({"activity": activity.pk})) == activity.pk
    assert block.activity_id(block.to_python({"activity": None})) is None


def test_anonymous_learners_are_asked_to_log_in():
    html = _render(bare_activity(title="Serve and return"), AnonymousUser())
    assert "Activity: Serve and return" in html
    assert "Log in to do this activity" in html
    assert "<iframe" not in html


def test_logged_in_learners_get_a_sandboxed_player():
    activity = bare_activity()
    user = UserFactory(username="trainee")
    html = _render(activity, user)
    frame = re.search(r"<iframe[^>]*>", html)[0]
    assert 'sandbox="allow-scripts"' in frame
    assert "allow-same-origin" not in html
    src = _src(html)
    assert src.startswith(f"/assessments/h5p/{activity.uuid}/embed/?page=")
    assert "imh_assessments/h5p/host.js" in html
    assert f'data-activity-iri="http://testserver/assessments/h5p/{activity.uuid}"' in html
    agent = json.loads(re.search(r'data-agent="([^"]+)"', html)[1].replace("&quot;", '"'))
    assert agent["account"]["name"] == str(user.pk)
    # The lesson page holds the CSRF token for host.js; the frame never sees it.
    assert 'name="csrfmiddlewaretoken"' in html
    assert "<script>" not in html
    assert "style=" not in html


def test_embed_page_carries_nothing_about_the_learner():
    activity = bare_activity(title="Watch, wait and wonder")
    user = UserFactory(username="private-person", email="private.person@example.org")
    client = Client()
    client.force_login(user)
    src = _src(_render(activity, user))
    response = client.get(src)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Watch, wait and wonder" in html
    for private in ("csrfmiddlewaretoken", "private-person", "private.person", user.last_name):
        assert private not in html
    assert "Set-Cookie" not in str(response.cookies) or not response.cookies
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "X-Frame-Options" not in response or response["X-Frame-Options"] == "SAMEORIGIN"
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy
    assert "default-src 'none'" in policy
    assert "form-action 'none'" in policy
    assert "https:" not in policy  # nothing from other sites
    assert "/static/imh_assessments/h5p-standalone/main.bundle.js" in html
    assert "imh_assessments/h5p/frame.js" in html
    assert 'data-parent-origin="http://testserver"' in html


def test_embed_needs_a_valid_link():
    activity = bare_activity()
    base = f"/assessments/h5p/{activity.uuid}/embed/"
    assert Client().get(base).status_code == 403
    assert Client().get(base + "?t=forged").status_code == 403
    other = bare_activity(title="Another")
    stolen = embed_url(activity=other, page_id=None).split("t=")[1]
    assert Client().get(f"{base}?t={stolen}").status_code == 403


def test_package_files_are_served_for_the_frame():
    activity = demo_h5p_activity()
    html = Client().get(embed_url(activity=activity, page_id=None)).content.decode()
    files = re.search(r'data-files-url="([^"]+)"', html)[1].removeprefix("http://testserver")
    client = Client()
    h5p_json = client.get(f"{files}/h5p.json")
    assert h5p_json.status_code == 200
    assert json.loads(b"".join(h5p_json.streaming_content))["mainLibrary"] == "IMH.CueCheck"
    assert h5p_json["Access-Control-Allow-Origin"] == "*"
    assert "sandbox" in h5p_json["Content-Security-Policy"]
    content = client.get(f"{files}/content/content.json")
    assert content.status_code == 200
    library = client.get(f"{files}/libraries/IMH.CueCheck-1.0/library.json")
    assert library.status_code == 200
    assert library["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "path",
    [
        "content/../../h5p/packages/x.h5p",
        "libraries/../content/x",
        "libraries/H5P.TrueFalse-1.6/../../../secret",
        "other/file.js",
        "content/",
        "libraries/not a folder/x.js",
    ],
)
def test_package_files_stay_inside_their_folders(path):
    activity = bare_activity()
    token = embed_url(activity=activity, page_id=None).split("t=")[1]
    response = Client().get(f"/assessments/h5p/{activity.uuid}/files/{token}/{path}")
    assert response.status_code == 404


def test_package_files_need_the_link_of_their_activity():
    activity = demo_h5p_activity()
    other = bare_activity(title="Another")
    token = embed_url(activity=other, page_id=None).split("t=")[1]
    response = Client().get(f"/assessments/h5p/{activity.uuid}/files/{token}/h5p.json")
    assert response.status_code == 404


def test_h5p_ids_passed(django_assert_num_queries):
    from django.utils import timezone

    user = UserFactory(username="trainee")
    passed, failed, untouched = (bare_activity(title=t) for t in ("A", "B", "C"))
    now = timezone.now()
    common = {"user": user, "first_attempt_at": now, "last_attempt_at": now, "updated_at": now}
    ActivityResult.objects.create(activity=passed, passed=True, passed_at=now, **common)
    ActivityResult.objects.create(activity=failed, passed=False, **common)
    ids = [passed.pk, failed.pk, untouched.pk]
    with django_assert_num_queries(1):
        assert h5p_ids_passed(user=user, activity_ids=ids) == {passed.pk}
    assert h5p_ids_passed(user=AnonymousUser(), activity_ids=ids) == set()


def test_block_shows_the_learners_score():
    from django.utils import timezone

    activity = bare_activity()
    user = UserFactory(username="trainee")
    assert "Your score so far" not in _render(activity, user)
    now = timezone.now()
    ActivityResult.objects.create(
        user=user,
        activity=activity,
        attempts=2,
        score=0.75,
        passed=True,
        passed_at=now,
        first_attempt_at=now,
        last_attempt_at=now,
        updated_at=now,
    )
    html = _render(activity, user)
    assert "Your score so far: 75%" in html
    assert "Passed" in html


def test_cookie_settings_keep_the_sandboxed_frame_logged_out():
    """The frame's requests are cross-site: only SameSite cookies keep them logged out."""
    from django.conf import settings

    assert settings.SESSION_COOKIE_SAMESITE in ("Lax", "Strict")
    assert settings.CSRF_COOKIE_SAMESITE in ("Lax", "Strict")
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.CSRF_COOKIE_HTTPONLY
