"""Reads for observation reliability that views and other apps rely on."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from imh_reliability.models import (
    Attempt,
    Clip,
    ClipView,
    Rating,
    ReliabilityTest,
    Scale,
    ScaleItem,
    TestClip,
)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def current_passes(*, user, today: datetime.date | None = None) -> QuerySet[Attempt]:
    """Passed attempts of ``user`` whose result has not expired."""
    return Attempt.objects.filter(
        user=user, passed=True, submitted_at__isnull=False, expires_on__gte=_today(today)
    )


def tests_passed(*, user, test_ids: Iterable[int]) -> set[int]:
    """Of ``test_ids``, the tests ``user`` holds a passed, unexpired result for."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        current_passes(user=user)
        .filter(test_id__in=list(test_ids))
        .values_list("test_id", flat=True)
    )


def results_current(*, user, today: datetime.date | None = None) -> list[Attempt]:
    """Passed, unexpired attempts of ``user``, newest first, with test and scale loaded."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        current_passes(user=user, today=today)
        .select_related("test__scale")
        .order_by("-submitted_at", "-id")
    )


def latest_attempts(*, user) -> dict[int, Attempt]:
    """The latest submitted attempt of ``user`` per test, keyed by test id."""
    latest: dict[int, Attempt] = {}
    if not getattr(user, "is_authenticated", False):
        return latest
    for attempt in (
        Attempt.objects.filter(user=user, submitted_at__isnull=False)
        .select_related("test__scale")
        .order_by("test_id", "-submitted_at", "-id")
    ):
        latest.setdefault(attempt.test_id, attempt)
    return latest


def best_current_attempts(*, user, today: datetime.date | None = None) -> dict[int, Attempt]:
    """Per test, the unexpired pass that lasts longest (what "passed until" shows)."""
    best: dict[int, Attempt] = {}
    for attempt in current_passes(user=user, today=today).order_by("test_id", "-expires_on"):
        best.setdefault(attempt.test_id, attempt)
    return best


def open_attempt(*, user, test: ReliabilityTest) -> Attempt | None:
    return Attempt.objects.filter(user=user, test=test, submitted_at__isnull=True).first()


def live_tests() -> QuerySet[ReliabilityTest]:
    return ReliabilityTest.objects.filter(live=True).select_related("scale").order_by("title")


def scale_with_points(*, scale_id: int) -> Scale:
    return Scale.objects.prefetch_related(
        Prefetch("items", queryset=ScaleItem.objects.prefetch_related("points"))
    ).get(pk=scale_id)


def scale_items(*, scale: Scale) -> list[ScaleItem]:
    return list(
        ScaleItem.objects.filter(scale=scale).prefetch_related("points").order_by("position")
    )


def test_clips(*, test: ReliabilityTest) -> list[TestClip]:
    return list(
        TestClip.objects.filter(test=test)
        .select_related("clip")
        .prefetch_related("clip__references")
        .order_by("position", "id")
    )


@dataclass
class Availability:
    usable: list[Clip]
    unusable: list[Clip]

    @property
    def can_start(self) -> bool:
        return bool(self.usable) and not self.unusable


def test_availability(*, test: ReliabilityTest) -> Availability:
    """Which clips of a test can be rated now (file kept, every item coded)."""
    items = {item.pk for item in ScaleItem.objects.filter(scale_id=test.scale_id)}
    usable, unusable = [], []
    for test_clip in test_clips(test=test):
        clip = test_clip.clip
        coded = {ref.item_id for ref in clip.references.all()}
        ok = (
            clip.deleted_at is None
            and bool(clip.file)
            and clip.scale_id == test.scale_id
            and items <= coded
            and bool(items)
        )
        (usable if ok else unusable).append(clip)
    return Availability(usable=usable, unusable=unusable)


def attempt_ratings(*, attempt: Attempt) -> dict[tuple[int, int], int]:
    return {
        (rating.clip_id, rating.item_id): rating.value
        for rating in Rating.objects.filter(attempt=attempt)
    }


def attempt_clips_numbered(*, attempt: Attempt) -> list[tuple[int, Clip]]:
    """The attempt's clips in the order it showed them, numbered from 1 (one query)."""
    clips = Clip.objects.in_bulk(attempt.clip_ids)
    return [
        (number, clips[clip_id])
        for number, clip_id in enumerate(attempt.clip_ids, start=1)
        if clip_id in clips
    ]


def attempts_of(*, user) -> QuerySet[Attempt]:
    return Attempt.objects.filter(user=user).select_related("test__scale")


def clip_views(*, clip_id: int | None = None, query: str = "") -> QuerySet[ClipView]:
    views = ClipView.objects.select_related("clip", "user", "attempt__test")
    if clip_id:
        views = views.filter(clip_id=clip_id)
    if query:
        views = views.filter(
            Q(clip__title__icontains=query)
            | Q(user__email__icontains=query)
            | Q(user__first_name__icontains=query)
            | Q(user__last_name__icontains=query)
        )
    return views


def clips_due_for_deletion(*, today: datetime.date | None = None) -> QuerySet[Clip]:
    return Clip.objects.filter(retain_until__lt=_today(today), deleted_at__isnull=True)


def reliability_data_export_for_user(user) -> dict[str, list[dict]]:
    """What this app holds about a person (attempts, ratings, clip views), JSON-safe."""

    def when(value) -> str | None:
        return value.isoformat() if value else None

    attempts = (
        Attempt.objects.filter(user=user)
        .select_related("test")
        .prefetch_related("ratings__clip", "ratings__item")
        .order_by("started_at", "pk")
    )
    return {
        "attempts": [
            {
                "test": attempt.test.title,
                "started_at": when(attempt.started_at),
                "submitted_at": when(attempt.submitted_at),
                "exact_agreement": str(attempt.exact_agreement)
                if attempt.exact_agreement is not None
                else None,
                "within_one_agreement": str(attempt.within_one_agreement)
                if attempt.within_one_agreement is not None
                else None,
                "weighted_kappa": str(attempt.weighted_kappa)
                if attempt.weighted_kappa is not None
                else None,
                "passed": attempt.passed,
                "expires_on": when(attempt.expires_on),
                "ratings": [
                    {"clip": rating.clip.title, "item": rating.item.code, "value": rating.value}
                    for rating in attempt.ratings.all()
                ],
            }
            for attempt in attempts
        ],
        "clip_views": [
            {
                "clip": view.clip.title,
                "viewed_at": when(view.viewed_at),
                "purpose": view.get_purpose_display(),
                "ip": view.ip,
                "user_agent": view.user_agent,
            }
            for view in ClipView.objects.filter(user=user).select_related("clip").order_by("pk")
        ],
    }
