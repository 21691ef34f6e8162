"""Writes for observation reliability: clip files, attempts, ratings, scoring and retention."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from imh_competencies.models import Evidence
from imh_competencies.services import evidence_record
from imh_core.conf import imh_setting
from imh_reliability import scoring
from imh_reliability.files import CLIP_TYPES, clip_file_check, clip_file_kind  # noqa: F401
from imh_reliability.models import (
    Attempt,
    Clip,
    ClipReference,
    ClipView,
    Metric,
    Rating,
    ReliabilityTest,
    ScaleItem,
    ScalePoint,
)
from imh_reliability.selectors import attempt_ratings, clips_due_for_deletion, test_availability

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)


@transaction.atomic
def clip_references_set(*, clip: Clip, values: Mapping[int, int]) -> list[ClipReference]:
    """Set the expert reference code per item (item id -> point value) of ``clip``."""
    items = {item.pk: item for item in ScaleItem.objects.filter(scale_id=clip.scale_id)}
    points = set(
        ScalePoint.objects.filter(item__scale_id=clip.scale_id).values_list("item_id", "value")
    )
    rows = []
    for item_id, value in values.items():
        if item_id not in items:
            raise ValidationError(_("Choose items of the clip's scale."))
        if (item_id, value) not in points:
            raise ValidationError(
                _("%(value)s is not a point of item %(item)s.")
                % {"value": value, "item": items[item_id]}
            )
        row, _created = ClipReference.objects.update_or_create(
            clip=clip, item_id=item_id, defaults={"value": value}
        )
        rows.append(row)
    return rows


# Signed streaming links.

TOKEN_SALT = "imh_reliability.clip"  # noqa: S105 (a namespace, not a secret)


def clip_token_make(
    *, clip: Clip, user: AbstractBaseUser, purpose: str, attempt: Attempt | None = None
) -> str:
    """A signed, short-lived token letting ``user`` stream ``clip`` for ``purpose``."""
    if purpose not in ClipView.Purpose.values:
        raise ValueError(f"Unknown purpose {purpose!r}.")
    return signing.TimestampSigner(salt=TOKEN_SALT).sign_object(
        {"c": clip.pk, "u": user.pk, "a": attempt.pk if attempt else None, "p": purpose}
    )


def clip_url(
    *, clip: Clip, user: AbstractBaseUser, purpose: str, attempt: Attempt | None = None
) -> str:
    token = clip_token_make(clip=clip, user=user, purpose=purpose, attempt=attempt)
    return reverse("imh_reliability:clip_stream", kwargs={"token": token})


class ClipTokenError(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def clip_token_read(*, token: str, user: AbstractBaseUser) -> dict[str, Any]:
    """The clip id, attempt id and purpose a token grants ``user``, or ``ClipTokenError``."""
    max_age = int(imh_setting("IMH_RELIABILITY_CLIP_URL_SECONDS"))
    try:
        data = signing.TimestampSigner(salt=TOKEN_SALT).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise ClipTokenError(
            _("This link to the clip has expired. Reload the page to watch it again."), 403
        ) from exc
    except signing.BadSignature as exc:
        raise ClipTokenError(_("This link to a clip is not valid."), 404) from exc
    if not getattr(user, "is_authenticated", False) or data.get("u") != user.pk:
        raise ClipTokenError(
            _(
                "This link to the clip was made for someone else. Sign in as yourself and "
                "open the page again."
            ),
            403,
        )
    return {"clip_id": data.get("c"), "attempt_id": data.get("a"), "purpose": data.get("p")}


def clip_for_token(*, token: str, user: AbstractBaseUser) -> tuple[Clip, dict[str, Any]]:
    """The clip a signed token lets ``user`` watch now, with the grant (purpose, attempt id).

    Refuses with ``ClipTokenError`` (message and HTTP status) a token that is expired, forged
    or someone else's; a clip that is gone; a rating or review link for a clip outside the
    person's own attempt; an educator preview without the permission to view clips; and a
    clip whose file was deleted at the end of retention.
    """
    grant = clip_token_read(token=token, user=user)
    clip = Clip.objects.filter(pk=grant["clip_id"]).first()
    if clip is None:
        raise ClipTokenError(_("This clip no longer exists."), 404)
    if grant["purpose"] in (ClipView.Purpose.RATING, ClipView.Purpose.REVIEW):
        attempt = Attempt.objects.filter(pk=grant["attempt_id"], user=user).first()
        if attempt is None or clip.pk not in attempt.clip_ids:
            raise ClipTokenError(_("This clip is not part of your attempt."), 403)
    elif not user.has_perm("imh_reliability.view_clip"):
        raise ClipTokenError(_("You do not have permission to preview clips."), 403)
    if clip.deleted_at is not None or not clip.file:
        raise ClipTokenError(
            _("This clip has been deleted because its retention period ended."), 410
        )
    return clip, grant


def clip_view_log(
    *,
    clip: Clip,
    user: AbstractBaseUser | None,
    purpose: str,
    attempt_id: int | None = None,
    ip: str | None = None,
    user_agent: str = "",
) -> ClipView:
    return ClipView.objects.create(
        clip=clip,
        user=user,
        attempt_id=attempt_id,
        purpose=purpose,
        ip=ip or None,
        user_agent=(user_agent or "")[:255],
    )


# Attempts.


@transaction.atomic
def attempt_start(*, user: AbstractBaseUser, test: ReliabilityTest) -> Attempt:
    """Start (or resume) ``user``'s attempt at ``test`` on the clips that can be rated now."""
    if not test.live:
        raise ValidationError(_("This test is not open at the moment."))
    open_attempt = Attempt.objects.filter(user=user, test=test, submitted_at__isnull=True).first()
    if open_attempt is not None:
        return open_attempt
    availability = test_availability(test=test)
    if not availability.usable:
        raise ValidationError(
            _(
                "This test cannot be taken at the moment because its clips are no longer "
                "available. Please contact your educator."
            )
        )
    try:
        with transaction.atomic():
            return Attempt.objects.create(
                user=user,
                test=test,
                metric=test.metric,
                pass_mark=test.pass_mark,
                clip_ids=[clip.pk for clip in availability.usable],
            )
    except IntegrityError:
        return Attempt.objects.get(user=user, test=test, submitted_at__isnull=True)


def _open_check(attempt: Attempt) -> None:
    if attempt.submitted_at is not None:
        raise ValidationError(_("This attempt has been submitted; start a new one to re-test."))


@transaction.atomic
def ratings_save(*, attempt: Attempt, clip: Clip, values: Mapping[int, int]) -> int:
    """Save ``attempt``'s ratings of ``clip`` (item id -> point value); how many saved."""
    attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
    _open_check(attempt)
    if clip.pk not in attempt.clip_ids:
        raise ValidationError(_("This clip is not part of your attempt."))
    points = set(
        ScalePoint.objects.filter(item__scale_id=attempt.test.scale_id).values_list(
            "item_id", "value"
        )
    )
    saved = 0
    for item_id, value in values.items():
        if (item_id, value) not in points:
            raise ValidationError(_("Choose one of the points shown for each item."))
        Rating.objects.update_or_create(
            attempt=attempt, clip=clip, item_id=item_id, defaults={"value": value}
        )
        saved += 1
    return saved


def attempt_missing(*, attempt: Attempt) -> list[tuple[Clip, list[ScaleItem]]]:
    """The clips of ``attempt`` with items still to rate, in order."""
    rated = attempt_ratings(attempt=attempt)
    items = list(ScaleItem.objects.filter(scale_id=attempt.test.scale_id).order_by("position"))
    clips = Clip.objects.in_bulk(attempt.clip_ids)
    missing = []
    for clip_id in attempt.clip_ids:
        gaps = [item for item in items if (clip_id, item.pk) not in rated]
        if gaps and clip_id in clips:
            missing.append((clips[clip_id], gaps))
    return missing


def attempt_pairs(*, attempt: Attempt) -> list[scoring.Pair]:
    references = {
        (ref.clip_id, ref.item_id): ref.value
        for ref in ClipReference.objects.filter(clip_id__in=attempt.clip_ids)
    }
    pairs = []
    for rating in Rating.objects.filter(attempt=attempt):
        key = (rating.clip_id, rating.item_id)
        if key in references:
            pairs.append(
                scoring.Pair(
                    clip_id=rating.clip_id,
                    item_id=rating.item_id,
                    rating=rating.value,
                    reference=references[key],
                )
            )
    return pairs


def attempt_scores(*, attempt: Attempt) -> scoring.Scores:
    categories = ScalePoint.objects.filter(item__scale_id=attempt.test.scale_id).values_list(
        "value", flat=True
    )
    return scoring.score(
        attempt_pairs(attempt=attempt),
        categories=set(categories),
        weights=attempt.test.kappa_weights,
    )


@transaction.atomic
def attempt_submit(*, attempt: Attempt, now: datetime.datetime | None = None) -> Attempt:
    """Score and close ``attempt``; a pass sets the expiry and records evidence."""
    attempt = Attempt.objects.select_for_update().select_related("test").get(pk=attempt.pk)
    _open_check(attempt)
    missing = attempt_missing(attempt=attempt)
    if missing:
        listed = "; ".join(
            _("%(clip)s: %(items)s")
            % {"clip": clip.title, "items": ", ".join(item.code for item in items)}
            for clip, items in missing
        )
        raise ValidationError(
            _("Rate every item of every clip before you submit. Still to rate: %(list)s.")
            % {"list": listed}
        )
    test = attempt.test
    now = now or timezone.now()
    scores = attempt_scores(attempt=attempt)
    metric = attempt.metric or test.metric
    pass_mark = attempt.pass_mark if attempt.pass_mark is not None else test.pass_mark
    attempt.metric, attempt.pass_mark = metric, pass_mark
    attempt.exact_agreement = scores.exact
    attempt.within_one_agreement = scores.within_one
    attempt.weighted_kappa = scores.kappa
    attempt.submitted_at = now
    attempt.passed = scoring.passes(scores.for_metric(metric), Decimal(pass_mark))
    attempt.expires_on = test.expiry_for(now) if attempt.passed else None
    attempt.save()
    if attempt.passed:
        attempt_evidence_record(attempt=attempt)
    return attempt


def attempt_evidence_record(*, attempt: Attempt) -> list[Evidence]:
    """Count a passed attempt as evidence against its test's competencies."""
    test = attempt.test
    pairs = [(link.competency_id, link.level) for link in test.competencies.all()]
    if not pairs or not attempt.passed:
        return []
    return evidence_record(
        user=attempt.user,
        source=attempt,
        kind=Evidence.Kind.RELIABILITY,
        competencies=pairs,
        occurred_on=timezone.localdate(attempt.submitted_at),
        title=_("Reliability passed: %(test)s") % {"test": test.title},
        detail=_("Valid until %(date)s.") % {"date": attempt.expires_on.isoformat()},
        url=reverse("imh_reliability:result", kwargs={"pk": attempt.pk}),
    )


# Retention.


@transaction.atomic
def clip_file_delete(*, clip: Clip, now: datetime.datetime | None = None) -> bool:
    """Delete ``clip``'s file and mark it deleted (the row, codes and ratings stay)."""
    clip = Clip.objects.select_for_update().get(pk=clip.pk)
    if clip.deleted_at is not None:
        return False
    name = clip.file.name
    if name:
        storage = clip.file.storage
        transaction.on_commit(lambda: _storage_delete(storage, name))
    clip.file.name = ""
    clip.deleted_at = now or timezone.now()
    clip.save(update_fields=["file", "deleted_at"])
    return True


def _storage_delete(storage: Any, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        logger.exception("Could not delete clip file %s", name)


def clips_retention_run(*, today: datetime.date | None = None) -> int:
    """Delete every clip file past its retention date; how many went."""
    count = 0
    for clip in clips_due_for_deletion(today=today):
        if clip_file_delete(clip=clip):
            count += 1
    return count


# People's data.


@transaction.atomic
def reliability_data_erase_for_user(*, user: AbstractBaseUser) -> dict[str, int]:
    """Erase a person's ratings, attempts (with their evidence) and clip viewing log."""
    attempts = list(Attempt.objects.filter(user=user))
    evidence = Evidence.objects.filter(
        user=user, source_type=Attempt._meta.label_lower, source_id__in=[a.pk for a in attempts]
    ).delete()[0]
    ratings = Rating.objects.filter(attempt__user=user).delete()[0]
    views = ClipView.objects.filter(user=user).delete()[0]
    attempt_count = Attempt.objects.filter(user=user).delete()[1].get(Attempt._meta.label, 0)
    return {
        "attempts": attempt_count,
        "ratings": ratings,
        "clip_views": views,
        "evidence": evidence,
    }


def metric_label(metric: str) -> str:
    return str(dict(Metric.choices).get(metric, metric))
