"""Reliability tests, clips and results for the integration tests (lessons, compliance).

Clips hold a few bytes with the WebM signature: nothing here plays them.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from imh_reliability.models import (
    Attempt,
    Clip,
    ClipReference,
    ReliabilityTest,
    Scale,
    ScaleItem,
    ScalePoint,
    TestClip,
)

WEBM_BYTES = b"\x1a\x45\xdf\xa3" + b"\x00" * 60


def reliability_test(
    *,
    title: str = "Interaction reliability",
    slug: str | None = None,
    items: int = 2,
    points: int = 3,
    clips: int = 2,
    synthetic: bool = True,
    live: bool = True,
    pass_mark: str = "80",  # noqa: S107 (a percentage, not a password)
    validity_months: int = 24,
    clip_bytes: bytes = WEBM_BYTES,
) -> ReliabilityTest:
    """A test on a new scale of ``items`` items of ``points`` points, with ``clips`` clips
    whose reference code is the middle point for every item."""
    number = Scale.objects.count() + 1
    scale = Scale.objects.create(
        name=f"Scale {number}", slug=f"scale-{number}", licence_note="Made up for tests."
    )
    scale_items = []
    for position in range(1, items + 1):
        item = ScaleItem.objects.create(
            scale=scale, position=position, code=f"I{position}", name=f"Item {position}"
        )
        for value in range(1, points + 1):
            ScalePoint.objects.create(
                item=item, value=value, label=f"Point {value}", descriptor=f"Descriptor {value}"
            )
        scale_items.append(item)
    test = ReliabilityTest.objects.create(
        title=title,
        slug=slug or f"test-{number}",
        scale=scale,
        introduction="Rate each clip.",
        metric=ReliabilityTest.Metric.EXACT,
        pass_mark=Decimal(pass_mark),
        validity_months=validity_months,
        live=live,
    )
    middle = (points + 1) // 2
    for position in range(1, clips + 1):
        clip = Clip(
            scale=scale,
            title=f"Clip {number}.{position}",
            is_synthetic=synthetic,
            consent_record="" if synthetic else "Parents consented in writing for training.",
            consent_obtained_on=None if synthetic else timezone.localdate(),
            retain_until=timezone.localdate() + datetime.timedelta(days=365),
            content_type="video/webm",
        )
        clip.file.save(f"clip-{number}-{position}.webm", ContentFile(clip_bytes), save=False)
        clip.save()
        for item in scale_items:
            ClipReference.objects.create(clip=clip, item=item, value=middle)
        TestClip.objects.create(test=test, clip=clip, position=position)
    return test


def result(
    *,
    user,
    test: ReliabilityTest,
    passed: bool = True,
    submitted_on: datetime.date | None = None,
    expires_on: datetime.date | None = None,
) -> Attempt:
    """A submitted attempt (scores made up), passed until ``expires_on`` or failed."""
    submitted_on = submitted_on or timezone.localdate()
    submitted_at = timezone.make_aware(datetime.datetime.combine(submitted_on, datetime.time(10)))
    if passed and expires_on is None:
        expires_on = test.expiry_for(submitted_at)
    return Attempt.objects.create(
        test=test,
        user=user,
        started_at=submitted_at - datetime.timedelta(minutes=20),
        submitted_at=submitted_at,
        exact_agreement=Decimal("91.67") if passed else Decimal("41.67"),
        within_one_agreement=Decimal("100"),
        weighted_kappa=Decimal("0.8765") if passed else Decimal("0.1234"),
        passed=passed,
        expires_on=expires_on if passed else None,
        metric=test.metric,
        pass_mark=test.pass_mark,
        clip_ids=list(test.clips.values_list("pk", flat=True)),
    )
