"""Trainee pages: list with status, test page, rating clip by clip, submit, result."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from imh_reliability import services
from imh_reliability.models import Attempt, Clip, ClipView
from tests.factories import UserFactory
from tests.reliability.factories import make_test

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainee(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_list_and_test_page(client, trainee):
    test = make_test(references=[[1, 2], [2, 3]])
    html = client.get(reverse("imh_reliability:index")).content.decode()
    assert test.title in html
    assert "Not taken" in html
    html = client.get(reverse("imh_reliability:test", args=[test.slug])).content.decode()
    assert "Looks like 2" in html
    assert "Start the test" in html
    assert "80%" in html


def test_rate_submit_and_result(client, trainee):
    test = make_test(references=[[1, 2], [2, 3]])
    response = client.post(reverse("imh_reliability:start", args=[test.slug]))
    attempt = Attempt.objects.get(user=trainee)
    assert response.url == reverse("imh_reliability:rate", args=[attempt.pk, 1])
    page = client.get(response.url).content.decode()
    assert "Clip 1 of 2" in page
    assert "Synthetic" in page
    assert '<video class="imh-reliability-video" controls preload="metadata"' in page
    assert "/reliability/clips/" in page
    assert attempt.test.clips.first().file.name not in page
    i1, i2 = test.scale.items.order_by("position")
    # Only one item of clip 1, then jump to submit: the missing ones are listed.
    client.post(
        reverse("imh_reliability:rate", args=[attempt.pk, 1]),
        {f"item_{i1.pk}": 1, "action": "next"},
    )
    response = client.post(reverse("imh_reliability:review", args=[attempt.pk]))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Clip 1 (Clip 1)" in html
    assert "I2 Item 2" in html
    assert "Clip 2 (Clip 2)" in html
    client.post(
        reverse("imh_reliability:rate", args=[attempt.pk, 1]),
        {f"item_{i1.pk}": 1, f"item_{i2.pk}": 2, "action": "next"},
    )
    response = client.post(
        reverse("imh_reliability:rate", args=[attempt.pk, 2]),
        {f"item_{i1.pk}": 2, f"item_{i2.pk}": 1, "action": "review"},
    )
    assert response.url == reverse("imh_reliability:review", args=[attempt.pk])
    response = client.post(reverse("imh_reliability:review", args=[attempt.pk]))
    assert response.url == reverse("imh_reliability:result", args=[attempt.pk])
    html = client.get(response.url).content.decode()
    assert "Not passed this time" in html
    assert "75.00%" in html
    assert "More than one point apart" in html
    assert "Looks like 3" in html
    assert "Exact agreement" in html
    assert "Weighted kappa" in html
    html = client.get(reverse("imh_reliability:index")).content.decode()
    assert "Not passed \u2013 try again" in html


def test_someone_elses_attempt_is_404(client, trainee):
    test = make_test(references=[[1, 2]])
    attempt = services.attempt_start(user=UserFactory(), test=test)
    assert client.get(reverse("imh_reliability:rate", args=[attempt.pk, 1])).status_code == 404
    assert client.get(reverse("imh_reliability:result", args=[attempt.pk])).status_code == 404


def test_test_with_deleted_clips_says_so(client, trainee, django_capture_on_commit_callbacks):
    test = make_test(references=[[1, 2]])
    with django_capture_on_commit_callbacks(execute=True):
        services.clip_file_delete(clip=test.clips.get())
    html = client.get(reverse("imh_reliability:test", args=[test.slug])).content.decode()
    assert "clips are no longer available" in html
    assert "Start the test" not in html
    response = client.post(reverse("imh_reliability:start", args=[test.slug]), follow=True)
    assert "no longer available" in response.content.decode()
    assert not Attempt.objects.exists()


def test_draft_tests_are_hidden(client, trainee):
    test = make_test(references=[[1, 2]])
    test.live = False
    test.save()
    assert client.get(reverse("imh_reliability:test", args=[test.slug])).status_code == 404


def _submitted(user, references, ratings, slug="sample-test"):
    test = make_test(references=references, slug=slug)
    attempt = services.attempt_start(user=user, test=test)
    items = list(test.scale.items.order_by("position"))
    for clip_id, values in zip(attempt.clip_ids, ratings, strict=True):
        clip = Clip.objects.get(pk=clip_id)
        services.ratings_save(
            attempt=attempt,
            clip=clip,
            values={item.pk: value for item, value in zip(items, values, strict=True)},
        )
    return services.attempt_submit(attempt=attempt)


def test_each_clip_can_be_watched_again_beside_the_reference(client, trainee):
    attempt = _submitted(trainee, references=[[1, 2], [2, 3]], ratings=[[1, 3], [2, 3]])
    result = client.get(reverse("imh_reliability:result", args=[attempt.pk])).content.decode()
    first = reverse("imh_reliability:clip_feedback", args=[attempt.pk, 1])
    assert f'href="{first}"' in result

    response = client.get(first)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Clip 1 of 2: feedback" in page
    assert "You matched the reference rating on 1 of 2 items for this clip." in page
    assert "Within one point" in page  # item 2: rated 3, reference 2
    assert '<video class="imh-reliability-video"' in page
    assert reverse("imh_reliability:clip_feedback", args=[attempt.pk, 2]) in page

    # The stream behind it is logged as a review of the result.
    stream = re.search(r'src="(/reliability/clips/[^"]+)"', page).group(1)
    b"".join(client.get(stream).streaming_content)
    assert ClipView.objects.get().purpose == ClipView.Purpose.REVIEW


def test_clip_feedback_waits_for_the_submission_and_is_private(client, trainee):
    test = make_test(references=[[1, 2]])
    open_attempt = services.attempt_start(user=trainee, test=test)
    response = client.get(reverse("imh_reliability:clip_feedback", args=[open_attempt.pk, 1]))
    assert response.url == reverse("imh_reliability:rate", args=[open_attempt.pk, 1])

    theirs = _submitted(UserFactory(), references=[[1, 2]], ratings=[[1, 2]], slug="theirs")
    url = reverse("imh_reliability:clip_feedback", args=[theirs.pk, 1])
    assert client.get(url).status_code == 404
    mine = _submitted(trainee, references=[[1, 2]], ratings=[[1, 2]], slug="mine")
    url = reverse("imh_reliability:clip_feedback", args=[mine.pk, 2])
    assert client.get(url).status_code == 404  # only one clip
