"""The demo's observation reliability training: a made-up scale, synthetic clips and a test.

The scale is invented for the demo: it is not PIIOS or any published instrument. Its three
clips are drawn by ``imh_reliability.synthetic`` (coloured shapes under a caption saying
they are synthetic demo clips, not a real family) and marked synthetic. The test is placed as a
required activity on a lesson of the midwives' course, and the demo trainee passed it nearly
two years ago, so her result shows as "expiring soon" on the lesson and to her manager.
Loaded after the courses, competencies and compliance demos; safe to run again.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from imh_competencies.models import Competency
from imh_courses.models import LessonPage
from imh_reliability.models import (
    Attempt,
    Clip,
    ReliabilityTest,
    ReliabilityTestCompetency,
    Scale,
    ScaleItem,
    ScalePoint,
    TestClip,
    add_months,
)
from imh_reliability.services import (
    attempt_start,
    attempt_submit,
    clip_references_set,
    ratings_save,
)
from imh_reliability.synthetic import CONTENT_TYPE, synthetic_clip_webm, synthetic_clips_check

SCALE_SLUG = "demo-parent-infant-interaction-scale"
SCALE_NAME = "Demo parent\u2013infant interaction scale (synthetic)"
SCALE_DESCRIPTION = (
    "Four items for practising structured observation of a carer and a baby together. Rate "
    "what you see in the clip, not what you imagine happens before or after it."
)
LICENCE_NOTE = (
    "Made up for the IMH Learning demo. It is not PIIOS or any other published scale and "
    "must not be used to assess real families. Free to use for trying out the platform."
)
# (code, name, guidance, [descriptor for points 1 to 5])
ITEMS = [
    (
        "GAZE",
        "Shared gaze",
        "How the carer and the baby look at each other.",
        [
            "They hardly look at each other.",
            "Brief glances, mostly missed by the other.",
            "Some shared looks, often broken off.",
            "Frequent shared looks that are held for a moment.",
            "Sustained, comfortable shared looks throughout.",
        ],
    ),
    (
        "CUES",
        "Carer's response to cues",
        "How the carer notices and responds to what the baby shows.",
        [
            "Cues are missed or overridden.",
            "A few cues noticed, responses late or mismatched.",
            "About half the cues get a fitting response.",
            "Most cues get a timely, fitting response.",
            "Cues are read and answered sensitively throughout.",
        ],
    ),
    (
        "TURN",
        "Turn-taking",
        "Whether the interaction goes back and forth, like a conversation.",
        [
            "No back and forth.",
            "One or two exchanges that stall.",
            "Short runs of turn-taking.",
            "Several runs of turn-taking with pauses for the baby.",
            "Fluent turn-taking led by both.",
        ],
    ),
    (
        "TOUCH",
        "Touch and closeness",
        "How the carer uses touch and closeness with the baby.",
        [
            "Touch is rough, or absent when the baby seeks it.",
            "Touch is mostly functional.",
            "Some gentle touch; closeness varies.",
            "Mostly gentle touch, adjusted to the baby.",
            "Warm, responsive touch and closeness throughout.",
        ],
    ),
]
POINT_LABELS = ["Very low", "Low", "Moderate", "Good", "Very good"]

CONSENT_RECORD = "Synthetic clip made by the demo loader; no real people."
# (title, seed, description, reference values for GAZE, CUES, TURN, TOUCH)
CLIPS = [
    (
        "Demo clip A: playing on the mat (synthetic)",
        101,
        "Animated shapes: an adult leans towards a baby, who bobs and waves. A caption says "
        "this is a synthetic demo clip and not a real family.",
        [4, 4, 3, 4],
    ),
    (
        "Demo clip B: after a feed (synthetic)",
        202,
        "Animated shapes: an adult reaches towards a baby, who moves away and back. A caption "
        "says this is a synthetic demo clip and not a real family.",
        [2, 3, 2, 3],
    ),
    (
        "Demo clip C: settling to sleep (synthetic)",
        303,
        "Animated shapes: an adult sways gently beside a baby. A caption says this is a "
        "synthetic demo clip and not a real family.",
        [3, 5, 4, 5],
    ),
]

TEST_SLUG = "demo-interaction-reliability"
TEST_TITLE = "Demo interaction reliability check (synthetic clips)"
TEST_INTRODUCTION = (
    "Watch each of the three short clips and rate it on the four items of the demo scale. "
    "You pass with 80% exact agreement with the reference ratings. The clips are synthetic: "
    "they show shapes, not a real family."
)
COMPETENCIES = [("OBA1", 1), ("IDR2", 1)]
LESSON_SLUG = "attunement-and-serve-and-return"
# The demo trainee passed this long ago: her result runs out within the "expiring" window.
TRAINEE_DAYS_LEFT = 30
# The trainee's ratings: one away from the reference on one item of one clip (92% exact).
TRAINEE_CHANGES = {(1, "TURN"): 3}


def _scale(educator) -> Scale:
    scale, _ = Scale.objects.get_or_create(
        slug=SCALE_SLUG,
        defaults={
            "name": SCALE_NAME,
            "description": SCALE_DESCRIPTION,
            "licence_note": LICENCE_NOTE,
            "created_by": educator,
        },
    )
    for position, (code, name, guidance, descriptors) in enumerate(ITEMS, start=1):
        item, created = ScaleItem.objects.get_or_create(
            scale=scale,
            code=code,
            defaults={"position": position, "name": name, "guidance": guidance},
        )
        if created:
            for value, (label, descriptor) in enumerate(
                zip(POINT_LABELS, descriptors, strict=True), start=1
            ):
                ScalePoint.objects.create(
                    item=item, value=value, label=label, descriptor=descriptor
                )
    return scale


def _clips(scale: Scale, educator) -> list[Clip]:
    items = {item.code: item for item in scale.items.all()}
    clips = []
    for title, seed, description, references in CLIPS:
        clip = Clip.objects.filter(scale=scale, title=title).first()
        if clip is None or clip.deleted_at is not None or not clip.file:
            clip = clip or Clip(scale=scale, title=title)
            clip.transcript = description
            clip.is_synthetic = True
            clip.consent_record = CONSENT_RECORD
            clip.consent_obtained_on = None
            clip.retain_until = timezone.localdate() + datetime.timedelta(days=365)
            clip.uploaded_by = educator
            clip.content_type = CONTENT_TYPE
            clip.deleted_at = None
            clip.file.save(
                f"demo-clip-{seed}.webm", ContentFile(synthetic_clip_webm(seed=seed)), save=False
            )
            clip.save()
        clip_references_set(
            clip=clip,
            values={
                items[item[0]].pk: value for item, value in zip(ITEMS, references, strict=True)
            },
        )
        clips.append(clip)
    return clips


def _test(scale: Scale, clips: list[Clip]) -> ReliabilityTest:
    test, created = ReliabilityTest.objects.get_or_create(
        slug=TEST_SLUG,
        defaults={
            "title": TEST_TITLE,
            "scale": scale,
            "introduction": TEST_INTRODUCTION,
            "metric": ReliabilityTest.Metric.EXACT,
            "pass_mark": Decimal("80"),
            "validity_months": 24,
            "live": True,
        },
    )
    if created:
        for position, clip in enumerate(clips, start=1):
            TestClip.objects.create(test=test, clip=clip, position=position)
        codes: dict[str, int] = {}
        # The sample framework's competencies (the first imported, if codes repeat).
        for code, pk in (
            Competency.objects.filter(code__in=[code for code, _ in COMPETENCIES])
            .order_by("-framework_id", "-pk")
            .values_list("code", "pk")
        ):
            codes[code] = pk
        for code, level in COMPETENCIES:
            if code in codes:
                ReliabilityTestCompetency.objects.create(
                    test=test, competency_id=codes[code], level=level
                )
    return test


def _trainee_pass(test: ReliabilityTest, clips: list[Clip], trainee) -> None:
    if Attempt.objects.filter(test=test, user=trainee, submitted_at__isnull=False).exists():
        return
    today = timezone.localdate()
    taken_on = add_months(today, -test.validity_months) + datetime.timedelta(days=TRAINEE_DAYS_LEFT)
    submitted = timezone.make_aware(datetime.datetime.combine(taken_on, datetime.time(14, 0)))
    attempt = attempt_start(user=trainee, test=test)
    items = {item.code: item for item in test.scale.items.all()}
    for index, (_title, _seed, _description, references) in enumerate(CLIPS):
        values = {}
        for (code, *_rest), reference in zip(ITEMS, references, strict=True):
            values[items[code].pk] = TRAINEE_CHANGES.get((index, code), reference)
        ratings_save(attempt=attempt, clip=clips[index], values=values)
    attempt = attempt_submit(attempt=attempt, now=submitted)
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=submitted - datetime.timedelta(minutes=25)
    )


def _place(test: ReliabilityTest) -> LessonPage | None:
    lesson = LessonPage.objects.filter(slug=LESSON_SLUG).first()
    if lesson is None:
        return None
    if any(block.block_type == "reliability_test" for block in lesson.body):
        return lesson
    lesson.body.append(("reliability_test", {"test": test, "required": True}))
    lesson.save_revision().publish()
    return lesson


@transaction.atomic
def demo_reliability_load(*, educator=None, trainee=None) -> ReliabilityTest:
    """Load the demo scale, synthetic clips and test, place the test on a demo lesson and
    give the demo trainee a pass that expires soon. Safe to run again.

    Raises ``imh_reliability.synthetic.SyntheticClipUnavailable`` (saying what to install)
    before writing anything when PyAV is missing and the clips still have to be made.
    """
    made = (
        Clip.objects.filter(
            scale__slug=SCALE_SLUG, title__in=[clip[0] for clip in CLIPS], deleted_at__isnull=True
        )
        .exclude(file="")
        .count()
    )
    if made < len(CLIPS):
        synthetic_clips_check()
    scale = _scale(educator)
    clips = _clips(scale, educator)
    test = _test(scale, clips)
    if trainee is not None:
        _trainee_pass(test, clips, trainee)
    _place(test)
    return test
