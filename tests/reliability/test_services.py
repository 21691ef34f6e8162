"""Attempts, scoring on submit, expiry, evidence, retention and people's data."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError

from imh_competencies.models import Area, Competency, Evidence, Framework
from imh_reliability import selectors, services
from imh_reliability.models import Attempt, Clip, ClipView, ReliabilityTestCompetency
from tests.factories import UserFactory
from tests.reliability.factories import make_test

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 1, 31, 10, 0, tzinfo=datetime.UTC)


def rate_all(attempt: Attempt, values: list[list[int]]) -> None:
    items = list(attempt.test.scale.items.order_by("position"))
    for clip_id, codes in zip(attempt.clip_ids, values, strict=True):
        clip = Clip.objects.get(pk=clip_id)
        services.ratings_save(
            attempt=attempt, clip=clip, values={i.pk: v for i, v in zip(items, codes, strict=True)}
        )


def test_start_resumes_open_attempt_and_db_allows_one_open():
    test = make_test(references=[[1, 2], [2, 3]])
    user = UserFactory()
    first = services.attempt_start(user=user, test=test)
    assert services.attempt_start(user=user, test=test) == first
    assert len(first.clip_ids) == 2
    with pytest.raises(IntegrityError):
        Attempt.objects.create(user=user, test=test)


def test_submit_requires_every_item_and_names_what_is_missing():
    test = make_test(references=[[1, 2], [2, 3]])
    attempt = services.attempt_start(user=UserFactory(), test=test)
    clip = Clip.objects.get(pk=attempt.clip_ids[0])
    item = test.scale.items.get(position=1)
    services.ratings_save(attempt=attempt, clip=clip, values={item.pk: 1})
    with pytest.raises(ValidationError) as caught:
        services.attempt_submit(attempt=attempt)
    message = " ".join(caught.value.messages)
    assert "Clip 1: I2" in message
    assert "Clip 2: I1, I2" in message
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_rating_must_be_a_point_of_the_item():
    test = make_test(references=[[1, 2]])
    attempt = services.attempt_start(user=UserFactory(), test=test)
    item = test.scale.items.first()
    with pytest.raises(ValidationError):
        services.ratings_save(
            attempt=attempt, clip=Clip.objects.get(pk=attempt.clip_ids[0]), values={item.pk: 9}
        )


def test_pass_sets_expiry_records_evidence_and_expires():
    test = make_test(references=[[1, 2], [2, 3]], pass_mark="75", validity_months=1)
    framework = Framework.objects.create(name="F", slug="f")
    area = Area.objects.create(framework=framework, code="A", name="Area")
    competency = Competency.objects.create(
        framework=framework, area=area, code="C1", short_name="Observe"
    )
    ReliabilityTestCompetency.objects.create(test=test, competency=competency, level=2)
    user = UserFactory()
    with time_machine.travel(NOW, tick=False):
        attempt = services.attempt_start(user=user, test=test)
        rate_all(attempt, [[1, 2], [2, 2]])  # 3 of 4 exact = 75%, all within one
        attempt = services.attempt_submit(attempt=attempt)
        assert attempt.passed is True
        assert attempt.exact_agreement == 75
        assert attempt.within_one_agreement == 100
        assert attempt.expires_on == datetime.date(2026, 2, 28)  # 31 Jan + 1 month
        evidence = Evidence.objects.get(user=user)
        assert evidence.kind == Evidence.Kind.RELIABILITY
        assert evidence.level == 2
        assert selectors.tests_passed(user=user, test_ids=[test.pk]) == {test.pk}
        assert selectors.results_current(user=user) == [attempt]
        assert selectors.latest_attempts(user=user)[test.pk] == attempt
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC), tick=False):
        assert selectors.tests_passed(user=user, test_ids=[test.pk]) == set()
        assert selectors.results_current(user=user) == []
        assert Evidence.objects.filter(user=user).exists()  # the history stays


def test_fail_against_pass_mark_and_retest_renews():
    test = make_test(references=[[1, 2], [2, 3]], pass_mark="80")
    user = UserFactory()
    with time_machine.travel(NOW, tick=False):
        attempt = services.attempt_start(user=user, test=test)
        rate_all(attempt, [[1, 2], [2, 2]])
        assert services.attempt_submit(attempt=attempt).passed is False
        assert attempt.expires_on is None
        assert Evidence.objects.count() == 0
        with pytest.raises(ValidationError):
            services.ratings_save(
                attempt=attempt, clip=Clip.objects.get(pk=attempt.clip_ids[0]), values={}
            )
        again = services.attempt_start(user=user, test=test)
        assert again != attempt
        rate_all(again, [[1, 2], [2, 3]])
        assert services.attempt_submit(attempt=again).passed is True


def test_kappa_metric_pass_mark():
    test = make_test(references=[[1, 2], [2, 3], [3, 1]], metric="weighted_kappa", pass_mark="0.6")
    attempt = services.attempt_start(user=UserFactory(), test=test)
    rate_all(attempt, [[1, 2], [2, 3], [3, 1]])
    attempt = services.attempt_submit(attempt=attempt)
    assert attempt.weighted_kappa == 1
    assert attempt.passed


def test_retention_deletes_file_keeps_row_and_blocks_start(django_capture_on_commit_callbacks):
    test = make_test(references=[[1, 2]])
    clip = test.clips.get()
    name = clip.file.name
    storage = clip.file.storage
    assert storage.exists(name)
    later = datetime.datetime.combine(
        clip.retain_until + datetime.timedelta(days=1), datetime.time(3), tzinfo=datetime.UTC
    )
    with (
        time_machine.travel(later, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("reliability_delete_expired_clips")
    clip.refresh_from_db()
    assert clip.deleted_at is not None
    assert not clip.file
    assert not storage.exists(name)
    assert not selectors.test_availability(test=test).usable
    with pytest.raises(ValidationError, match="no longer available"):
        services.attempt_start(user=UserFactory(), test=test)


def test_retention_leaves_clips_still_within_date():
    test = make_test(references=[[1, 2]])
    assert services.clips_retention_run() == 0
    assert test.clips.get().deleted_at is None


def test_export_and_erase():
    test = make_test(references=[[1, 2]])
    user, other = UserFactory(), UserFactory()
    attempt = services.attempt_start(user=user, test=test)
    rate_all(attempt, [[1, 2]])
    services.attempt_submit(attempt=attempt)
    clip = test.clips.get()
    services.clip_view_log(clip=clip, user=user, purpose="rating", attempt_id=attempt.pk)
    services.clip_view_log(clip=clip, user=other, purpose="review")
    exported = selectors.reliability_data_export_for_user(user)
    assert exported["attempts"][0]["ratings"] == [
        {"clip": "Clip 1", "item": "I1", "value": 1},
        {"clip": "Clip 1", "item": "I2", "value": 2},
    ]
    assert len(exported["clip_views"]) == 1
    result = services.reliability_data_erase_for_user(user=user)
    assert result["attempts"] == 1
    assert result["clip_views"] == 1
    assert not Attempt.objects.filter(user=user).exists()
    assert ClipView.objects.filter(user=other).count() == 1
