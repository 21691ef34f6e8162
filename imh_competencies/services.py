"""Writes for competencies. Other apps record evidence only through ``evidence_record``."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from pathlib import PurePath
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from imh_accounts.absolute_urls import site_url
from imh_competencies.models import (
    Competency,
    Evidence,
    ExternalLearning,
    ExternalLearningCompetency,
    Framework,
    Observation,
    ObservationCompetency,
    SelfAssessment,
)
from imh_competencies.policies import user_may_observe

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


def source_key(source: models.Model) -> tuple[str, int]:
    """How the ledger names a source object: ``("app_label.model", pk)``."""
    return source._meta.label_lower, int(source.pk)


@transaction.atomic
def evidence_record(
    *,
    user: AbstractBaseUser,
    source: models.Model,
    kind: str,
    competencies: Iterable[tuple[Competency | int, int]],
    occurred_on: datetime.date,
    title: str,
    outcome: str = Evidence.Outcome.MET,
    detail: str = "",
    url: str = "",
    recorded_by: AbstractBaseUser | None = None,
) -> list[Evidence]:
    """Count ``source`` as evidence for ``user`` against each (competency, level) pair.

    Idempotent: recording the same source again updates its rows in place (a replayed
    result, a corrected observation) and never adds a second row per competency. Pairs left
    out of a later call are removed, so the ledger follows the source's current mapping.
    """
    if kind not in Evidence.Kind.values:
        raise ValueError(f"Unknown evidence kind {kind!r}.")
    if outcome not in Evidence.Outcome.values:
        raise ValueError(f"Unknown evidence outcome {outcome!r}.")
    source_type, source_id = source_key(source)
    wanted: dict[int, int] = {}
    for competency, level in competencies:
        competency_id = competency if isinstance(competency, int) else competency.pk
        wanted[competency_id] = max(level, wanted.get(competency_id, 0))
    existing = Evidence.objects.filter(user=user, source_type=source_type, source_id=source_id)
    existing.exclude(competency_id__in=list(wanted)).delete()
    rows = []
    for competency_id, level in wanted.items():
        row, _ = Evidence.objects.update_or_create(
            user=user,
            competency_id=competency_id,
            source_type=source_type,
            source_id=source_id,
            defaults={
                "level": max(level, 1),
                "kind": kind,
                "outcome": outcome,
                "occurred_on": occurred_on,
                "title": title[:255],
                "detail": detail,
                "url": url[:500],
                "recorded_by": recorded_by,
            },
        )
        rows.append(row)
    return rows


def evidence_withdraw(*, user: AbstractBaseUser, source: models.Model) -> int:
    """Remove everything ``source`` counted for ``user`` (a withdrawn observation, a corrected
    register). Returns how many items went."""
    source_type, source_id = source_key(source)
    deleted, _ = Evidence.objects.filter(
        user=user, source_type=source_type, source_id=source_id
    ).delete()
    return deleted


# Observations of practice, self-assessment and external learning: each source writes its own
# rows and mirrors them into the evidence ledger through ``evidence_record``.

OBSERVATION_SETTING_MAX_LENGTH = 200
EVIDENCE_FILE_MAX_BYTES = 10 * 1024 * 1024
# Extensions accepted for external learning evidence, with the bytes such a file starts with.
EVIDENCE_FILE_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "docx": (b"PK\x03\x04",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}


def _url_for(name: str, *args: object) -> str:
    """A link to one of this app's pages, or nothing when the host mounts them elsewhere."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _absolute_url(path: str) -> str:
    # No link at all when the host site does not mount the page (``_url_for`` gave "").
    return site_url(path) if path else ""


def _person_name(user: AbstractBaseUser | None) -> str:
    if user is None:
        return ""
    profile = getattr(user, "profile", None)
    return (getattr(profile, "full_name", "") or "").strip() or user.get_full_name() or user.email


def _email_send(*, template: str, subject: str, to: str, context: dict) -> None:
    """Email one person once the transaction commits (plain text)."""
    if not to:
        return
    body = render_to_string(
        f"imh_competencies/email/{template}.txt",
        {"site_name": getattr(settings, "WAGTAIL_SITE_NAME", ""), **context},
    )
    transaction.on_commit(lambda: send_mail(subject, body, None, [to]), robust=True)


def _level_check(*, competency: Competency, level: object, field: str) -> int:
    levels = competency.framework.levels
    try:
        number = int(level)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= len(levels):
        raise ValidationError(
            {
                field: (
                    f"Choose a level from {competency.framework.level_label(1)} to "
                    f"{competency.framework.level_label(len(levels))} for {competency.code} "
                    f"{competency.short_name}."
                )
            },
            code="level_out_of_range",
        )
    return number


def _competencies_of_framework(
    *, framework: Framework, ids: Iterable[int]
) -> dict[int, Competency]:
    wanted = {int(pk) for pk in ids}
    found = {
        competency.pk: competency
        for competency in Competency.objects.filter(
            framework=framework, pk__in=wanted
        ).select_related("framework")
    }
    if wanted - set(found):
        raise ValidationError(
            f"Choose competencies from {framework.name} only.", code="wrong_framework"
        )
    return found


def _observation_validate(
    *,
    framework: Framework,
    observed_on: datetime.date | None,
    setting: str,
    ratings: list[tuple[int, int, str]],
) -> tuple[str, list[tuple[Competency, int, str]]]:
    errors: dict[str, list[str]] = {}
    if observed_on is None:
        errors["observed_on"] = ["Enter the date of the observation."]
    elif observed_on > timezone.localdate():
        errors["observed_on"] = ["The date of the observation must be today or in the past."]
    setting = (setting or "").strip()
    if not setting:
        errors["setting"] = ["Enter where the practice was observed, for example Home visit."]
    elif len(setting) > OBSERVATION_SETTING_MAX_LENGTH:
        errors["setting"] = [
            f"Enter a setting of {OBSERVATION_SETTING_MAX_LENGTH} characters or fewer."
        ]
    if not ratings:
        errors.setdefault("__all__", []).append("Rate at least one competency as met or not yet.")
    if errors:
        raise ValidationError(errors)
    competencies = _competencies_of_framework(
        framework=framework, ids=[competency_id for competency_id, _, _ in ratings]
    )
    checked = []
    for competency_id, level, outcome in ratings:
        competency = competencies[int(competency_id)]
        number = _level_check(competency=competency, level=level, field="__all__")
        if outcome not in ObservationCompetency.Outcome.values:
            raise ValidationError(
                f"Choose met or not yet for {competency.code} {competency.short_name}.",
                code="invalid_outcome",
            )
        checked.append((competency, number, outcome))
    return setting, checked


def _observation_sync_evidence(observation: Observation) -> None:
    """Each rated competency is its own evidence item with its own outcome."""
    url = _url_for("imh_competencies:observation_detail", observation.pk)
    for rating in observation.ratings.select_related("competency"):
        evidence_record(
            user=observation.trainee,
            source=rating,
            kind=Evidence.Kind.OBSERVATION,
            competencies=[(rating.competency_id, rating.level)],
            outcome=rating.outcome,
            occurred_on=observation.observed_on,
            title=observation.setting,
            detail=observation.comments,
            url=url,
            recorded_by=observation.observer,
        )


def _observation_write_ratings(
    observation: Observation, ratings: list[tuple[Competency, int, str]]
) -> None:
    keep = {competency.pk for competency, _, _ in ratings}
    for stale in observation.ratings.exclude(competency_id__in=keep):
        evidence_withdraw(user=observation.trainee, source=stale)
        stale.delete()
    for competency, level, outcome in ratings:
        row = observation.ratings.filter(competency=competency).first() or ObservationCompetency(
            observation=observation, competency=competency
        )
        row.level = level
        row.outcome = outcome
        row.full_clean()
        row.save()


@transaction.atomic
def observation_record(
    *,
    observer: AbstractBaseUser,
    trainee: AbstractBaseUser,
    framework: Framework,
    observed_on: datetime.date | None,
    setting: str,
    ratings: Iterable[tuple[int, int, str]],
    comments: str = "",
) -> Observation:
    """An educator or supervisor records what they saw of a trainee's practice.

    ``ratings`` are (competency id, level, "met" | "not_yet"). The trainee is emailed.
    """
    if not user_may_observe(observer=observer, trainee=trainee):
        raise PermissionDenied("You cannot record observations for this person.")
    setting, checked = _observation_validate(
        framework=framework, observed_on=observed_on, setting=setting, ratings=list(ratings)
    )
    observation = Observation(
        trainee=trainee,
        observer=observer,
        framework=framework,
        observed_on=observed_on,
        setting=setting,
        comments=(comments or "").strip(),
    )
    observation.full_clean()
    observation.save()
    _observation_write_ratings(observation, checked)
    _observation_sync_evidence(observation)
    _email_send(
        template="observation_recorded",
        subject="An observation of your practice has been recorded",
        to=trainee.email,
        context={
            "person_name": _person_name(trainee),
            "observer_name": _person_name(observer),
            "observation": observation,
            "url": _absolute_url(_url_for("imh_competencies:observation_detail", observation.pk)),
        },
    )
    return observation


def _observation_lock_for_observer(
    *, observation: Observation, actor: AbstractBaseUser
) -> Observation:
    locked = Observation.objects.select_for_update().get(pk=observation.pk)
    if locked.observer_id is None or locked.observer_id != actor.pk:
        raise PermissionDenied("Only the person who recorded this observation can change it.")
    if locked.is_withdrawn:
        raise ValidationError("This observation has been withdrawn.", code="withdrawn")
    return locked


@transaction.atomic
def observation_update(
    *,
    observation: Observation,
    actor: AbstractBaseUser,
    observed_on: datetime.date | None,
    setting: str,
    ratings: Iterable[tuple[int, int, str]],
    comments: str = "",
) -> Observation:
    """The observer corrects their own observation; the evidence follows."""
    locked = _observation_lock_for_observer(observation=observation, actor=actor)
    setting, checked = _observation_validate(
        framework=locked.framework,
        observed_on=observed_on,
        setting=setting,
        ratings=list(ratings),
    )
    locked.observed_on = observed_on
    locked.setting = setting
    locked.comments = (comments or "").strip()
    locked.full_clean()
    locked.save()
    _observation_write_ratings(locked, checked)
    _observation_sync_evidence(locked)
    return locked


@transaction.atomic
def observation_withdraw(*, observation: Observation, actor: AbstractBaseUser) -> Observation:
    """The observer withdraws their observation: it no longer shows or counts as evidence."""
    locked = _observation_lock_for_observer(observation=observation, actor=actor)
    for rating in locked.ratings.all():
        evidence_withdraw(user=locked.trainee, source=rating)
    locked.withdrawn_at = timezone.now()
    locked.save(update_fields=["withdrawn_at", "updated_at"])
    return locked


# Self-assessment.


@transaction.atomic
def self_assessment_save(
    *,
    user: AbstractBaseUser,
    framework: Framework,
    level: object,
    ratings: dict[int, str | None],
) -> list[SelfAssessment]:
    """Save a trainee's ratings of a framework's competencies at one target level.

    ``ratings`` maps competency ids to "achieved", "working_towards", "not_yet", or ``None``
    to clear a rating. Each rating is mirrored into the evidence ledger as self-assessment.
    """
    levels = framework.levels
    try:
        target = int(level)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        target = 0
    if not 1 <= target <= len(levels):
        raise ValidationError(
            {
                "level": (
                    f"Choose a level from {framework.level_label(1)} to "
                    f"{framework.level_label(len(levels))}."
                )
            },
            code="level_out_of_range",
        )
    for rating in ratings.values():
        if rating and rating not in SelfAssessment.Rating.values:
            raise ValidationError(
                "Choose achieved, working towards or not yet.", code="invalid_rating"
            )
    competencies = _competencies_of_framework(framework=framework, ids=ratings)
    existing = {
        row.competency_id: row
        for row in SelfAssessment.objects.select_for_update().filter(
            user=user, competency_id__in=list(competencies)
        )
    }
    today = timezone.localdate()
    url = _url_for("imh_competencies:self_assessment", framework.slug)
    saved = []
    for competency_id, rating in ratings.items():
        row = existing.get(int(competency_id))
        if not rating:
            if row is not None:
                evidence_withdraw(user=user, source=row)
                row.delete()
            continue
        if row is None:
            row = SelfAssessment(user=user, competency=competencies[int(competency_id)])
        row.level = target
        row.rating = rating
        row.full_clean()
        row.save()
        evidence_record(
            user=user,
            source=row,
            kind=Evidence.Kind.SELF_ASSESSMENT,
            competencies=[(row.competency_id, target)],
            outcome=SELF_ASSESSMENT_OUTCOMES[rating],
            occurred_on=today,
            title=f"{row.get_rating_display()} at {framework.level_label(target)}",
            url=url,
            recorded_by=user,
        )
        saved.append(row)
    return saved


SELF_ASSESSMENT_OUTCOMES = {
    SelfAssessment.Rating.ACHIEVED: Evidence.Outcome.MET,
    SelfAssessment.Rating.WORKING_TOWARDS: Evidence.Outcome.WORKING_TOWARDS,
    SelfAssessment.Rating.NOT_YET: Evidence.Outcome.NOT_YET,
}


# External learning.


def evidence_file_validate(upload: object) -> None:
    """An evidence file: at most 10 MB, a PDF, Word (.docx), JPEG or PNG file that is what its
    name says."""
    name = getattr(upload, "name", "") or ""
    extension = PurePath(name).suffix.lower().lstrip(".")
    if extension not in EVIDENCE_FILE_SIGNATURES:
        raise ValidationError(
            {"evidence_file": "The file must be a PDF, Word (.docx), JPG or PNG file."},
            code="file_type",
        )
    size = getattr(upload, "size", 0) or 0
    if size > EVIDENCE_FILE_MAX_BYTES:
        raise ValidationError(
            {"evidence_file": "The file must be smaller than 10 MB."}, code="file_size"
        )
    if size == 0:
        raise ValidationError({"evidence_file": "The selected file is empty."}, code="file_empty")
    upload.seek(0)  # type: ignore[attr-defined]
    head = upload.read(16)  # type: ignore[attr-defined]
    upload.seek(0)  # type: ignore[attr-defined]
    if not any(head.startswith(signature) for signature in EVIDENCE_FILE_SIGNATURES[extension]):
        raise ValidationError(
            {
                "evidence_file": (
                    f"The file is not a real {extension.upper()} file. Save it again as a PDF, "
                    "Word (.docx), JPG or PNG file."
                )
            },
            code="file_content",
        )


@transaction.atomic
def external_learning_submit(
    *,
    user: AbstractBaseUser,
    title: str,
    provider: str,
    completed_on: datetime.date,
    hours: object,
    claims: Iterable[tuple[int, int]],
    framework: Framework,
    description: str = "",
    evidence_file: object | None = None,
) -> ExternalLearning:
    """A trainee asks for learning done elsewhere to count against competencies."""
    claims = list(claims)
    if completed_on and completed_on > timezone.localdate():
        raise ValidationError(
            {"completed_on": "The date completed must be today or in the past."},
            code="future",
        )
    if not claims:
        raise ValidationError(
            {"competencies": "Choose at least one competency this learning developed."},
            code="no_claims",
        )
    competencies = _competencies_of_framework(
        framework=framework, ids=[competency_id for competency_id, _ in claims]
    )
    checked = [
        (
            competencies[int(competency_id)],
            _level_check(competency=competencies[int(competency_id)], level=level, field="level"),
        )
        for competency_id, level in claims
    ]
    item = ExternalLearning(
        user=user,
        title=(title or "").strip(),
        provider=(provider or "").strip(),
        completed_on=completed_on,
        hours=hours,
        description=(description or "").strip(),
    )
    if evidence_file:
        evidence_file_validate(evidence_file)
        item.evidence_file_name = (getattr(evidence_file, "name", "") or "")[-255:]
        item.evidence_file = evidence_file
    item.full_clean()
    item.save()
    for competency, level in checked:
        claim = ExternalLearningCompetency(
            external_learning=item, competency=competency, level=level
        )
        claim.full_clean()
        claim.save()
    return item


def _external_learning_lock(external_learning: ExternalLearning) -> ExternalLearning:
    return (
        ExternalLearning.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=external_learning.pk)
    )


def _require_educator(actor: AbstractBaseUser) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(
        "imh_competencies.change_externallearning"
    ):
        raise PermissionDenied("Only an educator can review external learning.")


@transaction.atomic
def external_learning_verify(
    *, external_learning: ExternalLearning, actor: AbstractBaseUser
) -> ExternalLearning:
    """An educator accepts the learning: each claimed competency gets an evidence item."""
    _require_educator(actor)
    locked = _external_learning_lock(external_learning)
    if locked.user_id == actor.pk:
        raise PermissionDenied("Another educator must review your own external learning.")
    locked.status = ExternalLearning.Status.VERIFIED
    locked.rejection_reason = ""
    locked.reviewed_at = timezone.now()
    locked.reviewed_by = actor
    locked.full_clean()
    locked.save()
    evidence_record(
        user=locked.user,
        source=locked,
        kind=Evidence.Kind.EXTERNAL,
        competencies=[(claim.competency_id, claim.level) for claim in locked.claims.all()],
        occurred_on=locked.completed_on,
        title=f"{locked.title} ({locked.provider})",
        detail=locked.description,
        url=_url_for("imh_competencies:external_learning_detail", locked.pk),
        recorded_by=actor,
    )
    _email_send(
        template="external_learning_verified",
        subject=f"Your external learning “{locked.title}” has been verified",
        to=locked.user.email,
        context={
            "person_name": _person_name(locked.user),
            "item": locked,
            "url": _absolute_url(_url_for("imh_competencies:external_learning_detail", locked.pk)),
        },
    )
    return locked


@transaction.atomic
def external_learning_reject(
    *, external_learning: ExternalLearning, actor: AbstractBaseUser, reason: str
) -> ExternalLearning:
    """An educator turns the learning down with a reason; the trainee is emailed it."""
    _require_educator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": "Enter the reason, so the trainee knows what to do next."},
            code="reason_required",
        )
    locked = _external_learning_lock(external_learning)
    if locked.user_id == actor.pk:
        raise PermissionDenied("Another educator must review your own external learning.")
    locked.status = ExternalLearning.Status.REJECTED
    locked.rejection_reason = reason
    locked.reviewed_at = timezone.now()
    locked.reviewed_by = actor
    locked.full_clean()
    locked.save()
    evidence_withdraw(user=locked.user, source=locked)
    _email_send(
        template="external_learning_rejected",
        subject=f"Your external learning “{locked.title}” was not accepted",
        to=locked.user.email,
        context={
            "person_name": _person_name(locked.user),
            "item": locked,
            "reason": reason,
            "url": _absolute_url(_url_for("imh_competencies:external_learning_detail", locked.pk)),
        },
    )
    return locked


@transaction.atomic
def external_learning_delete(
    *, external_learning: ExternalLearning, actor: AbstractBaseUser
) -> None:
    """The trainee removes a submission of their own (its evidence and file go with it)."""
    locked = _external_learning_lock(external_learning)
    if locked.user_id != actor.pk:
        raise PermissionDenied("You can only remove your own external learning.")
    evidence_withdraw(user=locked.user, source=locked)
    _file_delete_on_commit(locked.evidence_file)
    locked.delete()


def _file_delete_on_commit(field_file: object) -> None:
    name = getattr(field_file, "name", "")
    if not name:
        return
    storage = field_file.storage  # type: ignore[attr-defined]
    transaction.on_commit(lambda: storage.delete(name), robust=True)


# Data rights.


@transaction.atomic
def competency_data_erase_for_user(*, user: AbstractBaseUser) -> None:
    """Remove what this app holds about a person who deletes their account.

    Observations they recorded about others stay for those trainees (the observer's account
    is pseudonymised by the accounts app).
    """
    for item in ExternalLearning.objects.filter(user=user):
        _file_delete_on_commit(item.evidence_file)
    ExternalLearning.objects.filter(user=user).delete()
    Observation.objects.filter(trainee=user).delete()
    SelfAssessment.objects.filter(user=user).delete()
    Evidence.objects.filter(user=user).delete()
