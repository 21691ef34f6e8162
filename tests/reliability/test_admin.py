"""The educators' admin: scales, items, clips (upload checks, preview), tests, clip views."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from imh_reliability.models import Clip, ClipView, ReliabilityTest
from tests.factories import UserFactory
from tests.reliability.factories import MP4, WEBM, make_clip, make_test

pytestmark = pytest.mark.django_db


@pytest.fixture
def educator():
    user = UserFactory(username="educator")
    user.groups.add(Group.objects.get(name="Educators"))
    return user


@pytest.fixture
def educator_client(client, educator):
    client.force_login(educator)
    return client


def management(prefix: str, total: int = 0, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def clip_post(scale, upload, **extra) -> dict:
    data = {
        "scale": scale.pk,
        "title": "New clip",
        "file": upload,
        "transcript": "",
        "is_synthetic": "on",
        "consent_record": "",
        "consent_obtained_on": "",
        "retain_until": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        **management("references"),
    }
    data.update(extra)
    return data


def test_educators_reach_every_list_and_edit_page(educator_client):
    test = make_test(references=[[1, 2]])
    clip = test.clips.get()
    item = test.scale.items.first()
    urls = [
        reverse("reliability_tests:index"),
        reverse("reliability_tests:edit", args=[test.pk]),
        reverse("reliability_clips:index"),
        reverse("reliability_clips:add"),
        reverse("reliability_clips:edit", args=[clip.pk]),
        reverse("reliability_clips:preview", args=[clip.pk]),
        reverse("reliability_scales:index"),
        reverse("reliability_scales:edit", args=[test.scale.pk]),
        reverse("reliability_items:edit", args=[item.pk]),
        reverse("reliability_clip_views:index"),
    ]
    for url in urls:
        assert educator_client.get(url).status_code == 200, url


def test_the_clip_edit_page_works_on_storage_without_urls(educator_client, settings, tmp_path):
    """Private storage on disk has no URL (and on S3 a link would skip the logged stream):
    the edit page names the current file and links to nothing."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "imh_core.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    clip = make_test(references=[[1, 2]]).clips.get()
    response = educator_client.get(reverse("reliability_clips:edit", args=[clip.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Currently: clip-1.webm" in page
    assert clip.file.name not in page  # no path, no link


def test_admin_menu_has_the_group(educator_client):
    response = educator_client.get(reverse("wagtailadmin_home"))
    assert "Observation reliability" in response.content.decode()


def test_preview_uses_a_signed_stream_and_is_logged(educator_client, educator):
    clip = make_test(references=[[1, 2]]).clips.get()
    page = educator_client.get(reverse("reliability_clips:preview", args=[clip.pk]))
    html = page.content.decode()
    assert "/reliability/clips/" in html
    assert clip.file.name not in html
    src = html.split("<video", 1)[1].split('src="', 1)[1].split('"', 1)[0]
    assert educator_client.get(src).status_code == 200
    view = ClipView.objects.get()
    assert view.purpose == "admin_preview"
    assert view.user == educator


def test_upload_checks_type_by_content(educator_client):
    scale = make_test(references=[[1, 2]]).scale
    fake = SimpleUploadedFile("clip.webm", b"not a video at all", content_type="video/webm")
    response = educator_client.post(reverse("reliability_clips:add"), clip_post(scale, fake))
    assert response.status_code == 200
    assert "not a WebM or MP4 video" in response.content.decode()
    mismatch = SimpleUploadedFile("clip.webm", MP4, content_type="video/webm")
    response = educator_client.post(reverse("reliability_clips:add"), clip_post(scale, mismatch))
    assert "MP4 video but its name ends .webm" in response.content.decode()
    wrong_name = SimpleUploadedFile("clip.avi", WEBM, content_type="video/webm")
    response = educator_client.post(reverse("reliability_clips:add"), clip_post(scale, wrong_name))
    assert "WebM (.webm) or MP4 (.mp4)" in response.content.decode()
    assert Clip.objects.filter(title="New clip").count() == 0


@override_settings(IMH_RELIABILITY_CLIP_MAX_MB=0)
def test_upload_size_limit(educator_client):
    scale = make_test(references=[[1, 2]]).scale
    upload = SimpleUploadedFile("clip.webm", WEBM, content_type="video/webm")
    response = educator_client.post(reverse("reliability_clips:add"), clip_post(scale, upload))
    assert "0 MB or smaller" in response.content.decode()


def test_upload_saves_with_codes_and_uploader(educator_client, educator):
    scale = make_test(references=[[1, 2]]).scale
    items = list(scale.items.order_by("position"))
    upload = SimpleUploadedFile("good.webm", WEBM, content_type="video/webm")
    data = clip_post(scale, upload, **management("references", total=2))
    for n, (item, value) in enumerate(zip(items, [3, 1], strict=True)):
        data.update(
            {
                f"references-{n}-item": item.pk,
                f"references-{n}-value": value,
                f"references-{n}-id": "",
                f"references-{n}-ORDER": n,
                f"references-{n}-DELETE": "",
            }
        )
    response = educator_client.post(reverse("reliability_clips:add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    clip = Clip.objects.get(title="New clip")
    assert clip.uploaded_by == educator
    assert clip.content_type == "video/webm"
    assert {r.value for r in clip.references.all()} == {3, 1}


def test_real_clip_needs_consent(educator_client):
    scale = make_test(references=[[1, 2]]).scale
    upload = SimpleUploadedFile("good.webm", WEBM, content_type="video/webm")
    data = clip_post(scale, upload)
    data.pop("is_synthetic")
    response = educator_client.post(reverse("reliability_clips:add"), data)
    assert "Record who consented" in response.content.decode()


def test_test_cannot_go_live_with_uncoded_clip(educator_client):
    test = make_test(references=[[1, 2]])
    uncoded = make_clip(scale=test.scale, title="Uncoded", references=[1])
    data = {
        "title": test.title,
        "slug": test.slug,
        "scale": test.scale.pk,
        "introduction": "",
        "metric": "exact",
        "kappa_weights": "quadratic",
        "pass_mark": "80",
        "validity_months": "24",
        "live": "on",
        **management("test_clips", total=1),
        "test_clips-0-clip": uncoded.pk,
        "test_clips-0-id": "",
        "test_clips-0-ORDER": "0",
        "test_clips-0-DELETE": "",
        **management("competencies"),
    }
    data["slug"] = "another"
    response = educator_client.post(reverse("reliability_tests:add"), data)
    assert response.status_code == 200
    assert "has no reference code for I2" in response.content.decode()
    data["test_clips-0-clip"] = test.clips.get().pk
    response = educator_client.post(reverse("reliability_tests:add"), data)
    assert response.status_code == 302
    assert ReliabilityTest.objects.get(slug="another").live


def test_kappa_pass_mark_range(educator_client):
    test = make_test(references=[[1, 2]])
    data = {
        "title": "Kappa",
        "slug": "kappa",
        "scale": test.scale.pk,
        "metric": "weighted_kappa",
        "kappa_weights": "quadratic",
        "pass_mark": "80",
        "validity_months": "24",
        **management("test_clips"),
        **management("competencies"),
    }
    response = educator_client.post(reverse("reliability_tests:add"), data)
    assert "from 0 to 1" in response.content.decode()


def test_clip_views_report_is_read_only(educator_client, client):
    assert educator_client.get(reverse("reliability_clip_views:add")).status_code in (302, 403)
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get(reverse("reliability_clip_views:add")).status_code in (302, 403)
