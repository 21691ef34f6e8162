"""Scales, clips and tests for the reliability tests, with reference codes chosen per clip.

Clip files are a few bytes with the WebM signature: enough for upload checks and streaming.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from imh_reliability.models import (
    Clip,
    ClipReference,
    ReliabilityTest,
    Scale,
    ScaleItem,
    ScalePoint,
    TestClip,
)

WEBM = b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 4  # 1028 bytes
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100


def make_scale(*, slug: str = "piios-sample", items: int = 2, points: int = 3) -> Scale:
    scale = Scale.objects.create(name=f"Scale {slug}", slug=slug, licence_note="Test only.")
    for position in range(1, items + 1):
        item = ScaleItem.objects.create(
            scale=scale, position=position, code=f"I{position}", name=f"Item {position}"
        )
        for value in range(1, points + 1):
            ScalePoint.objects.create(
                item=item, value=value, label=f"Point {value}", descriptor=f"Looks like {value}"
            )
    return scale


def make_clip(
    *,
    scale: Scale,
    title: str = "Clip",
    references: list[int] | None = None,
    content: bytes = WEBM,
    retain_days: int = 365,
    synthetic: bool = True,
) -> Clip:
    clip = Clip(
        scale=scale,
        title=title,
        is_synthetic=synthetic,
        consent_record="" if synthetic else "Parent consented in writing, training use only.",
        consent_obtained_on=None if synthetic else timezone.localdate(),
        retain_until=timezone.localdate() + datetime.timedelta(days=retain_days),
        content_type="video/webm",
    )
    clip.file.save(f"{title.lower().replace(' ', '-')}.webm", ContentFile(content), save=False)
    clip.save()
    items = list(scale.items.order_by("position"))
    for item, value in zip(items, references or [], strict=False):
        ClipReference.objects.create(clip=clip, item=item, value=value)
    return clip


def make_test(
    *,
    references: list[list[int]],
    metric: str = "exact",
    pass_mark: str = "80",  # noqa: S107 (a pass mark, not a password)
    slug: str = "sample-test",
    validity_months: int = 24,
    points: int = 3,
) -> ReliabilityTest:
    """A live test with one clip per list in ``references`` (one code per item)."""
    scale = make_scale(slug=f"{slug}-scale", items=len(references[0]), points=points)
    test = ReliabilityTest.objects.create(
        title=f"Test {slug}",
        slug=slug,
        scale=scale,
        introduction="Rate each clip.",
        metric=metric,
        pass_mark=Decimal(pass_mark),
        validity_months=validity_months,
        live=True,
    )
    for position, codes in enumerate(references, start=1):
        clip = make_clip(scale=scale, title=f"Clip {position}", references=codes)
        TestClip.objects.create(test=test, clip=clip, position=position)
    return test
