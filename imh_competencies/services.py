"""Writes for competencies. Other apps record evidence only through ``evidence_record``."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from pathlib import PurePath
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imh_competencies.models import (
    Competency,
    Evidence,
    ExternalLearning,
    ExternalLearningCompetency,
    ExternalProgramme,
    ExternalProgrammeCompetency,
    Framework,
    Observation,
    ObservationCompetency,
    SelfAssessment,
)
from imh_competencies.policies import user_may_observe
from imh_core.links import path_for, site_url_for
from imh_core.mail import email_send
from imh_core.people import person_name

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


def _level_check(*, competency: Competency, level: object, field: str) -> int:
    levels = competency.framework.levels
    try:
        number = int(level)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= len(levels):
        raise ValidationError(
            {
                field: _("Choose a level from %(lowest)s to %(highest)s for %(competency)s.")
                % {
                    "lowest": competency.framework.level_label(1),
                    "highest": competency.framework.level_label(len(levels)),
                    "competency": f"{competency.code} {competency.short_name}",
                }
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
            _("Choose competencies from %(framework)s only.") % {"framework": framework.name},
            code="wrong_framework",
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
        errors["observed_on"] = [_("Enter the date of the observation.")]
    elif observed_on > timezone.localdate():
        errors["observed_on"] = [_("The date of the observation must be today or in the past.")]
    setting = (setting or "").strip()
    if not setting:
        errors["setting"] = [_("Enter where the practice was observed, for example Home visit.")]
    elif len(setting) > OBSERVATION_SETTING_MAX_LENGTH:
        errors["setting"] = [
            _("Enter a setting of %(count)s characters or fewer.")
            % {"count": OBSERVATION_SETTING_MAX_LENGTH}
        ]
    if not ratings:
        errors.setdefault("__all__", []).append(
            _("Rate at least one competency as met or not yet.")
        )
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
                _("Choose met or not yet for %(competency)s.")
                % {"competency": f"{competency.code} {competency.short_name}"},
                code="invalid_outcome",
            )
        checked.append((competency, number, outcome))
    return setting, checked


def _observation_sync_evidence(observation: Observation) -> None:
    """Each rated competency is its own evidence item with its own outcome."""
    url = path_for("imh_competencies:observation_detail", observation.pk)
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
        raise PermissionDenied(_("You cannot record observations for this person."))
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
    email_send(
        template="imh_competencies/email/observation_recorded.txt",
        subject=_("An observation of your practice has been recorded"),
        to=trainee.email,
        context={
            "person_name": person_name(trainee),
            "observer_name": person_name(observer),
            "observation": observation,
            "url": site_url_for("imh_competencies:observation_detail", observation.pk),
        },
    )
    return observation


def _observation_lock_for_observer(
    *, observation: Observation, actor: AbstractBaseUser
) -> Observation:
    locked = Observation.objects.select_for_update().get(pk=observation.pk)
    if locked.observer_id is None or locked.observer_id != actor.pk:
        raise PermissionDenied(_("Only the person who recorded this observation can change it."))
    if locked.is_withdrawn:
        raise ValidationError(_("This observation has been withdrawn."), code="withdrawn")
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
                "level": _("Choose a level from %(lowest)s to %(highest)s.")
                % {
                    "lowest": framework.level_label(1),
                    "highest": framework.level_label(len(levels)),
                }
            },
            code="level_out_of_range",
        )
    for rating in ratings.values():
        if rating and rating not in SelfAssessment.Rating.values:
            raise ValidationError(
                _("Choose achieved, working towards or not yet."), code="invalid_rating"
            )
    competencies = _competencies_of_framework(framework=framework, ids=ratings)
    existing = {
        row.competency_id: row
        for row in SelfAssessment.objects.select_for_update().filter(
            user=user, competency_id__in=list(competencies)
        )
    }
    today = timezone.localdate()
    url = path_for("imh_competencies:self_assessment", framework.slug)
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
            # Stored in the language the trainee is using: only they see their self-assessment.
            title=_("%(rating)s at %(level)s")
            % {"rating": row.get_rating_display(), "level": framework.level_label(target)},
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
            {"evidence_file": _("The file must be a PDF, Word (.docx), JPG or PNG file.")},
            code="file_type",
        )
    size = getattr(upload, "size", 0) or 0
    if size > EVIDENCE_FILE_MAX_BYTES:
        raise ValidationError(
            {"evidence_file": _("The file must be smaller than 10 MB.")}, code="file_size"
        )
    if size == 0:
        raise ValidationError(
            {"evidence_file": _("The selected file is empty.")}, code="file_empty"
        )
    upload.seek(0)  # type: ignore[attr-defined]
    head = upload.read(16)  # type: ignore[attr-defined]
    upload.seek(0)  # type: ignore[attr-defined]
    if not any(head.startswith(signature) for signature in EVIDENCE_FILE_SIGNATURES[extension]):
        raise ValidationError(
            {
                "evidence_file": _(
                    "The file is not a real %(type)s file. Save it again as a PDF, "
                    "Word (.docx), JPG or PNG file."
                )
                % {"type": extension.upper()}
            },
            code="file_content",
        )


def _external_learning_check(*, completed_on: datetime.date | None, hours: object) -> Decimal:
    """The date and hours every record needs, whatever else it claims; returns the hours."""
    errors: dict[str, str] = {}
    if completed_on and completed_on > timezone.localdate():
        errors["completed_on"] = _("The date completed must be today or in the past.")
    try:
        value = Decimal(str(hours))
    except (ArithmeticError, ValueError):
        value = None
    if value is None or not value.is_finite() or value <= 0:
        errors["hours"] = _("Enter the hours as a number greater than 0, like 3 or 7.5.")
    if errors:
        raise ValidationError(errors, code="invalid")
    try:
        # 7.50 is 7.5: store one decimal place when nothing is lost; otherwise the model says so.
        tenths = value.quantize(Decimal("0.1"))  # type: ignore[union-attr]
    except ArithmeticError:
        return value  # type: ignore[return-value]
    return tenths if tenths == value else value  # type: ignore[return-value]


def _external_claims_check(
    *, framework: Framework | None, claims: Iterable[tuple[int, int]]
) -> list[tuple[Competency, int]]:
    """The claimed (competency, level) pairs, checked against the framework they come from."""
    claims = list(claims)
    if not claims:
        return []
    if framework is None:
        raise ValidationError(
            {"competencies": _("Choose the framework of the competencies you claim.")},
            code="no_framework",
        )
    competencies = _competencies_of_framework(
        framework=framework, ids=[competency_id for competency_id, _level in claims]
    )
    return [
        (
            competencies[int(competency_id)],
            _level_check(competency=competencies[int(competency_id)], level=level, field="level"),
        )
        for competency_id, level in claims
    ]


def _external_claims_save(
    *, external_learning: ExternalLearning, claims: list[tuple[Competency, int]]
) -> None:
    external_learning.claims.all().delete()
    for competency, level in claims:
        claim = ExternalLearningCompetency(
            external_learning=external_learning, competency=competency, level=level
        )
        claim.full_clean()
        claim.save()


def _evidence_file_set(item: ExternalLearning, upload: object) -> None:
    evidence_file_validate(upload)
    item.evidence_file_name = (getattr(upload, "name", "") or "")[-255:]
    item.evidence_file = upload


@transaction.atomic
def external_learning_create(
    *,
    user: AbstractBaseUser,
    title: str,
    provider: str,
    completed_on: datetime.date,
    hours: object,
    participatory: bool = False,
    reflection: str = "",
    evidence_file: object | None = None,
    framework: Framework | None = None,
    claims: Iterable[tuple[int, int]] = (),
    programme: ExternalProgramme | None = None,
) -> ExternalLearning:
    """Log learning done elsewhere, once: it counts as CPD at once, and any competencies it
    claims wait for an educator to verify them. ``programme`` links it to the directory
    programme it was claimed from (see ``programme_claim``)."""
    hours = _external_learning_check(completed_on=completed_on, hours=hours)
    checked = _external_claims_check(framework=framework, claims=claims)
    item = ExternalLearning(
        user=user,
        title=(title or "").strip(),
        provider=(provider or "").strip(),
        completed_on=completed_on,
        hours=hours,
        participatory=bool(participatory),
        reflection=(reflection or "").strip(),
        status=ExternalLearning.Status.PENDING if checked else ExternalLearning.Status.LOGGED,
        programme=programme,
    )
    if evidence_file:
        _evidence_file_set(item, evidence_file)
    item.full_clean()
    item.save()
    _external_claims_save(external_learning=item, claims=checked)
    return item


@transaction.atomic
def external_learning_update(
    *,
    external_learning: ExternalLearning,
    actor: AbstractBaseUser,
    title: str,
    provider: str,
    completed_on: datetime.date,
    hours: object,
    participatory: bool = False,
    reflection: str = "",
    evidence_file: object | None = None,
    remove_evidence: bool = False,
    framework: Framework | None = None,
    claims: Iterable[tuple[int, int]] = (),
) -> ExternalLearning:
    """Change a record of one's own; a new file replaces the old one, which is deleted.

    A verification holds for what the educator checked: the title, provider, date, hours, file
    and claims. Changing any of them sends the record back for review (and takes its evidence
    off the profile until then); a rejected record is sent again the same way. The reflection
    and whether it was participatory are the trainee's own notes and change nothing.
    """
    locked = _external_learning_lock(external_learning)
    if locked.user_id != actor.pk:
        raise PermissionDenied(_("You can only change your own learning."))
    hours = _external_learning_check(completed_on=completed_on, hours=hours)
    checked = _external_claims_check(framework=framework, claims=claims)
    old_claims = {(claim.competency_id, claim.level) for claim in locked.claims.all()}
    new_claims = {(competency.pk, level) for competency, level in checked}
    old_file = locked.evidence_file if locked.evidence_file else None
    title, provider = (title or "").strip(), (provider or "").strip()
    facts_changed = (
        (locked.title, locked.provider, locked.completed_on, locked.hours)
        != (title, provider, completed_on, hours)
        or old_claims != new_claims
        or bool(evidence_file)
        or (remove_evidence and old_file is not None)
    )
    locked.title = title
    locked.provider = provider
    locked.completed_on = completed_on
    locked.hours = hours
    locked.participatory = bool(participatory)
    locked.reflection = (reflection or "").strip()
    replace = False
    if evidence_file:
        _evidence_file_set(locked, evidence_file)
        replace = True
    elif remove_evidence and old_file is not None:
        locked.evidence_file = ""
        locked.evidence_file_name = ""
        replace = True
    statuses = ExternalLearning.Status
    if not checked:
        status = statuses.LOGGED
    elif facts_changed or locked.status == statuses.LOGGED:
        status = statuses.PENDING
    else:
        status = locked.status
    if status != locked.status or (facts_changed and status == statuses.PENDING):
        locked.status = status
        locked.reviewed_at = None
        locked.reviewed_by = None
        locked.rejection_reason = ""
        evidence_withdraw(user=locked.user, source=locked)
    locked.full_clean()
    locked.save()
    if old_claims != new_claims:
        _external_claims_save(external_learning=locked, claims=checked)
    if locked.status == statuses.VERIFIED:
        # Still verified: the evidence keeps the educator's decision and shows the new notes.
        _external_evidence_record(locked, recorded_by=locked.reviewed_by)
    if replace and old_file is not None:
        _file_delete_on_commit(old_file)
    return locked


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
        raise PermissionDenied(_("Only an educator can review external learning."))


def _require_reviewable(*, item: ExternalLearning, actor: AbstractBaseUser) -> None:
    if item.user_id == actor.pk:
        raise PermissionDenied(_("Another educator must review your own external learning."))
    if item.status == ExternalLearning.Status.LOGGED:
        # Logged for CPD only: it claims no competencies, so there is nothing to decide.
        raise ValidationError(
            _("This learning claims no competencies, so there is nothing to review."),
            code="nothing_to_review",
        )


def _external_evidence_record(
    item: ExternalLearning, *, recorded_by: AbstractBaseUser | None
) -> None:
    evidence_record(
        user=item.user,
        source=item,
        kind=Evidence.Kind.EXTERNAL,
        competencies=[(claim.competency_id, claim.level) for claim in item.claims.all()],
        occurred_on=item.completed_on,
        title=f"{item.title} ({item.provider})",
        detail=item.reflection,
        url=path_for("imh_competencies:external_learning_detail", item.pk),
        recorded_by=recorded_by,
    )


@transaction.atomic
def external_learning_verify(
    *, external_learning: ExternalLearning, actor: AbstractBaseUser
) -> ExternalLearning:
    """An educator accepts the learning: each claimed competency gets an evidence item."""
    _require_educator(actor)
    locked = _external_learning_lock(external_learning)
    _require_reviewable(item=locked, actor=actor)
    locked.status = ExternalLearning.Status.VERIFIED
    locked.rejection_reason = ""
    locked.reviewed_at = timezone.now()
    locked.reviewed_by = actor
    locked.full_clean()
    locked.save()
    _external_evidence_record(locked, recorded_by=actor)
    email_send(
        template="imh_competencies/email/external_learning_verified.txt",
        subject=_("Your external learning “%(title)s” has been verified") % {"title": locked.title},
        to=locked.user.email,
        context={
            "person_name": person_name(locked.user),
            "item": locked,
            "url": site_url_for("imh_competencies:external_learning_detail", locked.pk),
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
            {"reason": _("Enter the reason, so the trainee knows what to do next.")},
            code="reason_required",
        )
    locked = _external_learning_lock(external_learning)
    _require_reviewable(item=locked, actor=actor)
    locked.status = ExternalLearning.Status.REJECTED
    locked.rejection_reason = reason
    locked.reviewed_at = timezone.now()
    locked.reviewed_by = actor
    locked.full_clean()
    locked.save()
    evidence_withdraw(user=locked.user, source=locked)
    email_send(
        template="imh_competencies/email/external_learning_rejected.txt",
        subject=_("Your external learning “%(title)s” was not accepted") % {"title": locked.title},
        to=locked.user.email,
        context={
            "person_name": person_name(locked.user),
            "item": locked,
            "reason": reason,
            "url": site_url_for("imh_competencies:external_learning_detail", locked.pk),
        },
    )
    return locked


@transaction.atomic
def external_learning_delete(
    *, external_learning: ExternalLearning, actor: AbstractBaseUser
) -> None:
    """The trainee removes a record of their own (its evidence and file go with it)."""
    locked = _external_learning_lock(external_learning)
    if locked.user_id != actor.pk:
        raise PermissionDenied(_("You can only remove your own external learning."))
    evidence_withdraw(user=locked.user, source=locked)
    _file_delete_on_commit(locked.evidence_file)
    locked.delete()


def _file_delete_on_commit(field_file: object) -> None:
    name = getattr(field_file, "name", "")
    if not name:
        return
    storage = field_file.storage  # type: ignore[attr-defined]
    transaction.on_commit(lambda: storage.delete(name), robust=True)


# The external programme directory.

PROGRAMME_REVIEW_PERMISSION = "imh_competencies.review_externalprogramme"


def programme_mapping_check(
    *, framework: Framework, level: object, mappings: Iterable[tuple[Competency | int, object]]
) -> list[tuple[Competency, int]]:
    """A programme's level and (competency, level) mapping, checked against its framework.

    Every competency must come from the programme's framework, once, at one of its levels.
    Returns the mapping with competencies loaded and levels as numbers.
    """
    try:
        number = int(level)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= len(framework.levels):
        raise ValidationError(
            {
                "level": _("Choose a level from %(lowest)s to %(highest)s.")
                % {
                    "lowest": framework.level_label(1),
                    "highest": framework.level_label(len(framework.levels)),
                }
            },
            code="level_out_of_range",
        )
    pairs = [
        (getattr(competency, "pk", competency), mapped_level)
        for competency, mapped_level in mappings
    ]
    ids = [int(pk) for pk, _level in pairs]
    if len(set(ids)) != len(ids):
        raise ValidationError(_("Map each competency once."), code="duplicate_competency")
    found = _competencies_of_framework(framework=framework, ids=ids)
    return [
        (found[int(pk)], _level_check(competency=found[int(pk)], level=value, field="level"))
        for pk, value in pairs
    ]


def _programme_hours_check(hours: object) -> Decimal:
    try:
        return _external_learning_check(completed_on=None, hours=hours)
    except ValidationError as error:
        raise ValidationError(
            {"typical_hours": error.message_dict["hours"]}, code="invalid"
        ) from None


@transaction.atomic
def programme_create(
    *,
    actor: AbstractBaseUser | None,
    title: str,
    provider: str,
    framework: Framework,
    level: int,
    format: str,
    typical_hours: object,
    participatory: bool = False,
    description: str = "",
    url: str = "",
    mappings: Iterable[tuple[Competency | int, int]] = (),
) -> ExternalProgramme:
    """Add a programme to the directory, under review until an educator approves it."""
    checked = programme_mapping_check(framework=framework, level=level, mappings=mappings)
    programme = ExternalProgramme(
        title=(title or "").strip(),
        provider=(provider or "").strip(),
        framework=framework,
        level=int(level),
        format=format,
        typical_hours=_programme_hours_check(typical_hours),
        participatory=bool(participatory),
        description=(description or "").strip(),
        url=(url or "").strip(),
        created_by=actor,
    )
    programme.full_clean()
    programme.save()
    for order, (competency, mapped_level) in enumerate(checked):
        ExternalProgrammeCompetency.objects.create(
            programme=programme, competency=competency, level=mapped_level, sort_order=order
        )
    return programme


def _programme_lock(programme: ExternalProgramme) -> ExternalProgramme:
    return (
        ExternalProgramme.objects.select_for_update(of=("self",))
        .select_related("framework")
        .get(pk=programme.pk)
    )


@transaction.atomic
def programme_review(
    *, programme: ExternalProgramme, actor: AbstractBaseUser, approve: bool, notes: str = ""
) -> ExternalProgramme:
    """An educator approves the programme and its mapping for the directory, or does not
    (with notes saying why). Either decision can be made again later."""
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(
        PROGRAMME_REVIEW_PERMISSION
    ):
        raise PermissionDenied(_("Only an educator can review programmes."))
    notes = (notes or "").strip()
    locked = _programme_lock(programme)
    if approve:
        mappings = [(row.competency_id, row.level) for row in locked.mappings.all()]
        if not mappings:
            raise ValidationError(
                _("Map the programme to at least one competency before you approve it."),
                code="no_mapping",
            )
        programme_mapping_check(framework=locked.framework, level=locked.level, mappings=mappings)
        locked.review_status = ExternalProgramme.ReviewStatus.APPROVED
    else:
        if not notes:
            raise ValidationError(
                {"notes": _("Enter why the programme is not approved.")}, code="notes_required"
            )
        locked.review_status = ExternalProgramme.ReviewStatus.NOT_APPROVED
    locked.review_notes = notes
    locked.reviewed_at = timezone.now()
    locked.reviewed_by = actor
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def programme_return_to_review(*, programme: ExternalProgramme) -> ExternalProgramme:
    """What was approved has changed: take the programme out of the directory until an
    educator looks at it again."""
    locked = _programme_lock(programme)
    locked.review_status = ExternalProgramme.ReviewStatus.UNDER_REVIEW
    locked.reviewed_at = None
    locked.reviewed_by = None
    locked.save(update_fields=["review_status", "reviewed_at", "reviewed_by", "updated_at"])
    return locked


@transaction.atomic
def programme_claim(
    *,
    user: AbstractBaseUser,
    programme: ExternalProgramme,
    completed_on: datetime.date,
    hours: object | None = None,
) -> ExternalLearning:
    """ "I've done this": log an approved programme as the person's learning done elsewhere,
    prefilled from the programme (title, provider, hours, participatory) and claiming the
    competencies it is mapped to at their levels.

    The same programme on the same date is refused (a second click, a resubmitted form);
    doing it again on another date is a new record.
    """
    locked = _programme_lock(programme)
    if not locked.is_approved:
        raise ValidationError(
            _(
                "“%(title)s” is not in the programme directory at the moment, so it cannot be "
                "claimed. Add it as learning you did elsewhere instead."
            )
            % {"title": locked.title},
            code="not_approved",
        )
    if completed_on is None:
        raise ValidationError(
            {"completed_on": _("Enter the date you completed the programme.")},
            code="required",
        )
    if ExternalLearning.objects.filter(
        user=user, programme=locked, completed_on=completed_on
    ).exists():
        raise ValidationError(
            {
                "completed_on": _(
                    "You have already logged this programme as completed on that date."
                )
            },
            code="already_claimed",
        )
    return external_learning_create(
        user=user,
        title=locked.title,
        provider=locked.provider,
        completed_on=completed_on,
        hours=locked.typical_hours if hours in (None, "") else hours,
        participatory=locked.participatory,
        framework=locked.framework,
        claims=[(row.competency_id, row.level) for row in locked.mappings.all()],
        programme=locked,
    )


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
