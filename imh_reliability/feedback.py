"""Item-level feedback on a submitted attempt: per item, agreement across the clips and, per
clip, the trainee's rating beside the reference with both points' descriptors."""

from __future__ import annotations

from imh_reliability.models import Attempt, Clip, ClipReference, Rating, ScaleItem
from imh_reliability.scoring import ClipFeedback, ItemFeedback, PointInfo


def attempt_feedback(*, attempt: Attempt) -> list[ItemFeedback]:
    items = list(
        ScaleItem.objects.filter(scale_id=attempt.test.scale_id)
        .prefetch_related("points")
        .order_by("position")
    )
    clips = Clip.objects.in_bulk(attempt.clip_ids)
    references = {
        (ref.clip_id, ref.item_id): ref.value
        for ref in ClipReference.objects.filter(clip_id__in=attempt.clip_ids)
    }
    ratings = {
        (rating.clip_id, rating.item_id): rating.value
        for rating in Rating.objects.filter(attempt=attempt)
    }
    feedback = []
    for item in items:
        points = {point.value: point for point in item.points.all()}

        def info(value: int | None, points=points) -> PointInfo | None:
            if value is None:
                return None
            point = points.get(value)
            return PointInfo(
                value=value,
                label=point.label if point else str(value),
                descriptor=point.descriptor if point else "",
            )

        entry = ItemFeedback(item_id=item.pk, code=item.code, name=item.name)
        for clip_id in attempt.clip_ids:
            reference = references.get((clip_id, item.pk))
            if reference is None or clip_id not in clips:
                continue
            entry.clips.append(
                ClipFeedback(
                    clip_id=clip_id,
                    clip_title=str(clips[clip_id]),
                    rating=info(ratings.get((clip_id, item.pk))),
                    reference=info(reference),
                )
            )
        feedback.append(entry)
    return feedback
