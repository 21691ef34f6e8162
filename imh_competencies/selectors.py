"""Reads for competencies that other apps and the views rely on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.http import Http404
from wagtail.models import Page

from imh_competencies.models import (
    Area,
    Competency,
    Evidence,
    ExternalLearning,
    ExternalLearningCompetency,
    ExternalProgramme,
    ExternalProgrammeCompetency,
    Framework,
    Observation,
    ObservationCompetency,
    PageCompetency,
    SelfAssessment,
)
from imh_core.conf import imh_setting
from imh_core.people import person_name


def frameworks() -> QuerySet[Framework]:
    return Framework.objects.all()


def page_competencies(*, page_ids: Iterable[int]) -> QuerySet[PageCompetency]:
    """The competency mappings of these pages, with competency and framework loaded."""
    return PageCompetency.objects.filter(page_id__in=list(page_ids)).select_related(
        "competency__framework", "competency__area"
    )


def competencies_of(*, framework: Framework) -> QuerySet[Competency]:
    return Competency.objects.filter(framework=framework).select_related("area", "parent")


def evidence_for(*, user) -> QuerySet[Evidence]:
    return Evidence.objects.filter(user=user).select_related(
        "competency__framework", "competency__area"
    )


# Observations, self-assessment, external learning and the competency profile.


def recommended_page_types() -> list[str]:
    """Content type labels ("app_label.model") of pages worth recommending, from settings."""
    return list(imh_setting("IMH_COMPETENCIES_RECOMMENDED_PAGE_TYPES"))


def observations_recorded_by(*, observer) -> QuerySet[Observation]:
    """Observations a person recorded (withdrawn ones too, marked as such)."""
    return (
        Observation.objects.filter(observer=observer)
        .select_related("trainee", "framework")
        .prefetch_related("ratings")
    )


def observations_received(*, trainee) -> QuerySet[Observation]:
    """Observations of a trainee's practice that still stand."""
    return Observation.objects.filter(trainee=trainee, withdrawn_at__isnull=True).select_related(
        "observer", "framework"
    )


def observation_for_viewer(*, user, pk: int) -> Observation:
    """An observation its trainee or its observer may see; anyone else gets a 404."""
    observation = (
        Observation.objects.filter(pk=pk)
        .filter(Q(trainee=user, withdrawn_at__isnull=True) | Q(observer=user))
        .select_related("trainee", "observer", "framework")
        .first()
        if getattr(user, "is_authenticated", False)
        else None
    )
    if observation is None:
        raise Http404("No observation you can see has this id.")
    return observation


def observation_for_observer(*, user, pk: int) -> Observation:
    """An observation the person recorded and has not withdrawn, or 404."""
    try:
        return Observation.objects.select_related("trainee", "framework").get(
            pk=pk, observer=user, withdrawn_at__isnull=True
        )
    except Observation.DoesNotExist:
        raise Http404("No observation of yours has this id.") from None


def observation_ratings(*, observation: Observation) -> QuerySet[ObservationCompetency]:
    return observation.ratings.select_related("competency__area")


def user_by_email(*, email: str):
    """The active person with this email address (any case), or ``None``."""
    email = (email or "").strip()
    if not email:
        return None
    return get_user_model().objects.filter(email__iexact=email, is_active=True).first()


def self_assessments_for(*, user, framework: Framework) -> dict[int, SelfAssessment]:
    return {
        row.competency_id: row
        for row in SelfAssessment.objects.filter(user=user, competency__framework=framework)
    }


def external_learning_for_user(*, user) -> QuerySet[ExternalLearning]:
    """The person's learning done elsewhere, most recently completed first."""
    return ExternalLearning.objects.filter(user=user).prefetch_related("claims__competency")


def external_learning_for_portfolio(*, user) -> list[ExternalLearning]:
    """What the CPD portfolio lists and counts: every record, whatever its review, since an
    educator's review decides competency evidence, not whether the learning was done."""
    return list(ExternalLearning.objects.filter(user=user).order_by("-completed_on", "-pk"))


def external_learning_of_owner(*, user, pk: int) -> ExternalLearning:
    try:
        return ExternalLearning.objects.select_related("reviewed_by", "programme").get(
            pk=pk, user=user
        )
    except ExternalLearning.DoesNotExist:
        raise Http404("No external learning of yours has this id.") from None


def external_learning_framework(*, external_learning: ExternalLearning) -> Framework | None:
    """The framework whose competencies the record claims, or None when it claims none."""
    claim = external_learning.claims.select_related("competency__framework").first()
    return claim.competency.framework if claim else None


def external_learning_claims(
    *, external_learning: ExternalLearning
) -> list[ExternalLearningCompetency]:
    """The competencies a record claims, each with ``level_text``, its level as labelled."""
    claims = list(external_learning.claims.select_related("competency__framework"))
    for claim in claims:
        claim.level_text = claim.competency.framework.level_label(claim.level)
    return claims


# The external programme directory.


def programmes_approved() -> QuerySet[ExternalProgramme]:
    return ExternalProgramme.objects.filter(
        review_status=ExternalProgramme.ReviewStatus.APPROVED
    ).select_related("framework")


def programme_directory(
    *,
    query: str = "",
    level: int | None = None,
    format: str = "",
    area: Area | None = None,
) -> QuerySet[ExternalProgramme]:
    """Approved programmes matching a text search and the directory's filters."""
    programmes = programmes_approved()
    for word in (query or "").split()[:10]:
        programmes = programmes.filter(
            Q(title__icontains=word)
            | Q(provider__icontains=word)
            | Q(description__icontains=word)
            | Q(mappings__competency__short_name__icontains=word)
            | Q(mappings__competency__code__iexact=word)
        )
    if level:
        programmes = programmes.filter(level=level)
    if format:
        programmes = programmes.filter(format=format)
    if area is not None:
        programmes = programmes.filter(mappings__competency__area=area)
    return programmes.distinct().order_by("title", "provider")


def programme_directory_levels() -> list[tuple[int, str]]:
    """The levels approved programmes are pitched at, each labelled as its frameworks
    name it ("Level 2", or "Skilled / Level 2" when frameworks differ)."""
    labels: dict[int, list[str]] = {}
    for programme in programmes_approved():
        label = programme.framework.level_label(programme.level)
        names = labels.setdefault(programme.level, [])
        if label not in names:
            names.append(label)
    return [(level, " / ".join(labels[level])) for level in sorted(labels)]


def programme_directory_areas() -> QuerySet[Area]:
    """The competency areas that approved programmes are mapped to."""
    mapped = ExternalProgrammeCompetency.objects.filter(
        programme__review_status=ExternalProgramme.ReviewStatus.APPROVED
    ).values("competency__area_id")
    return (
        Area.objects.filter(pk__in=mapped)
        .select_related("framework")
        .order_by("framework__name", "sort_order", "code")
    )


def programme_for_directory(*, pk: int) -> ExternalProgramme:
    """A programme as trainees see it, whatever its review (the page says when it cannot be
    claimed)."""
    try:
        return ExternalProgramme.objects.select_related("framework").get(pk=pk)
    except ExternalProgramme.DoesNotExist:
        raise Http404("No programme has this id.") from None


def programme_mappings(*, programme: ExternalProgramme) -> list[ExternalProgrammeCompetency]:
    """The programme's mapped competencies, in framework order, each with ``level_text``."""
    rows = list(
        programme.mappings.select_related("competency__framework", "competency__area").order_by(
            "competency__area__sort_order", "competency__sort_order", "competency__code"
        )
    )
    for row in rows:
        row.level_text = row.competency.framework.level_label(row.level)
    return rows


def programme_records_of(*, user, programme: ExternalProgramme) -> QuerySet[ExternalLearning]:
    """The person's own records claimed from this programme, latest first."""
    return ExternalLearning.objects.filter(user=user, programme=programme).order_by(
        "-completed_on", "-pk"
    )


def external_learning_pending() -> QuerySet[ExternalLearning]:
    """Submissions waiting for an educator, oldest first."""
    return (
        ExternalLearning.objects.filter(status=ExternalLearning.Status.PENDING)
        .select_related("user")
        .prefetch_related("claims__competency__framework")
        .order_by("submitted_at", "pk")
    )


def external_learning_reviewed(*, limit: int = 50) -> list[ExternalLearning]:
    return list(
        ExternalLearning.objects.filter(
            status__in=[ExternalLearning.Status.VERIFIED, ExternalLearning.Status.REJECTED]
        )
        .select_related("user", "reviewed_by")
        .order_by("-reviewed_at", "-pk")[:limit]
    )


def external_learning_for_review(*, pk: int) -> ExternalLearning:
    """A record an educator may open: one that claims competencies. Learning logged for CPD
    only stays private to its owner, so its id is a 404 here."""
    try:
        return (
            ExternalLearning.objects.exclude(status=ExternalLearning.Status.LOGGED)
            .select_related("user", "reviewed_by", "programme")
            .get(pk=pk)
        )
    except ExternalLearning.DoesNotExist:
        raise Http404("No external learning to review has this id.") from None


def external_learning_for_file(*, user, pk: int) -> ExternalLearning:
    """A record whose evidence file ``user`` may download: the owner's or, for an educator,
    one sent for review. Anything else is a 404, so ids tell nothing."""
    queryset = ExternalLearning.objects.exclude(evidence_file="")
    own = Q(user_id=getattr(user, "pk", None))
    if getattr(user, "is_authenticated", False) and (
        user.has_perm("imh_competencies.change_externallearning")
        or user.has_perm("imh_competencies.view_externallearning")
    ):
        queryset = queryset.filter(own | ~Q(status=ExternalLearning.Status.LOGGED))
    else:
        queryset = queryset.filter(own)
    try:
        return queryset.get(pk=pk)
    except ExternalLearning.DoesNotExist:
        raise Http404("No evidence file you can see has this id.") from None


# The competency profile.


def _is_independent(evidence: Evidence) -> bool:
    return evidence.kind != Evidence.Kind.SELF_ASSESSMENT


@dataclass
class CompetencyStanding:
    """One competency on a person's profile: its evidence and the highest level evidenced."""

    competency: Competency
    evidence: list[Evidence] = field(default_factory=list)
    highest_level: int = 0
    highest_label: str = ""
    self_assessment: SelfAssessment | None = None


@dataclass
class AreaStanding:
    area: Area
    competencies: list[CompetencyStanding] = field(default_factory=list)

    @property
    def evidenced_count(self) -> int:
        return sum(1 for item in self.competencies if item.highest_level)


def _standings(
    *, framework: Framework, competencies: list[Competency], evidence: list[Evidence]
) -> dict[int, CompetencyStanding]:
    standings = {
        competency.pk: CompetencyStanding(competency=competency) for competency in competencies
    }
    for item in evidence:
        standing = standings.get(item.competency_id)
        if standing is None:
            continue
        standing.evidence.append(item)
        if (
            item.outcome == Evidence.Outcome.MET
            and _is_independent(item)
            and item.level > standing.highest_level
        ):
            standing.highest_level = item.level
    for standing in standings.values():
        if standing.highest_level:
            standing.highest_label = framework.level_label(standing.highest_level)
    return standings


def competency_profile(*, user, framework: Framework) -> list[AreaStanding]:
    """A framework's areas and competencies with ``user``'s evidence, in two queries."""
    competencies = list(
        Competency.objects.filter(framework=framework)
        .select_related("area")
        .order_by("area__sort_order", "area__code", "sort_order", "code")
    )
    evidence = list(
        Evidence.objects.filter(user=user, competency__framework=framework).order_by(
            "-occurred_on", "-id"
        )
    )
    standings = _standings(framework=framework, competencies=competencies, evidence=evidence)
    areas: dict[int, AreaStanding] = {}
    for competency in competencies:
        area = areas.setdefault(competency.area_id, AreaStanding(area=competency.area))
        area.competencies.append(standings[competency.pk])
    return list(areas.values())


def framework_for_profile(*, user, slug: str | None) -> Framework | None:
    """The framework asked for, else the first one with evidence for the person, else the
    first framework."""
    if slug:
        framework = Framework.objects.filter(slug=slug).first()
        if framework is not None:
            return framework
    with_evidence = (
        Framework.objects.filter(competencies__evidence__user=user).order_by("name").first()
    )
    return with_evidence or Framework.objects.order_by("name", "version").first()


def competency_standing(*, user, competency: Competency) -> CompetencyStanding:
    """One competency with all the person's evidence for it."""
    evidence = list(
        Evidence.objects.filter(user=user, competency=competency).order_by("-occurred_on", "-id")
    )
    standing = _standings(
        framework=competency.framework, competencies=[competency], evidence=evidence
    )[competency.pk]
    standing.self_assessment = SelfAssessment.objects.filter(
        user=user, competency=competency
    ).first()
    return standing


# Gap analysis and recommended learning.


class GapStatus:
    EVIDENCED = "evidenced"
    NEEDS_EVIDENCE = "needs_evidence"
    TO_DEVELOP = "to_develop"
    NOT_RATED = "not_rated"

    GAPS = (NEEDS_EVIDENCE, TO_DEVELOP)


@dataclass
class GapRow:
    competency: Competency
    self_assessment: SelfAssessment | None
    target_level: int
    target_label: str
    evidenced_level: int
    evidenced_label: str
    status: str

    @property
    def is_gap(self) -> bool:
        return self.status in GapStatus.GAPS


@dataclass
class Recommendation:
    page: Page
    competencies: list[Competency]


@dataclass
class GapAnalysis:
    framework: Framework
    rows: list[GapRow]
    recommendations: list[Recommendation]

    @property
    def gaps(self) -> list[GapRow]:
        return [row for row in self.rows if row.is_gap]


def gap_analysis(*, user, framework: Framework) -> GapAnalysis:
    """Each competency's target level (from self-assessment) against independent evidence.

    A gap is a competency rated "working towards" or "not yet", or rated "achieved" with no
    evidence at that level from anything but self-assessment, unless other evidence shows it.
    """
    competencies = list(
        Competency.objects.filter(framework=framework)
        .select_related("area")
        .order_by("area__sort_order", "area__code", "sort_order", "code")
    )
    ratings = self_assessments_for(user=user, framework=framework)
    evidenced: dict[int, int] = {}
    for competency_id, level in (
        Evidence.objects.filter(
            user=user, competency__framework=framework, outcome=Evidence.Outcome.MET
        )
        .exclude(kind=Evidence.Kind.SELF_ASSESSMENT)
        .values_list("competency_id", "level")
    ):
        evidenced[competency_id] = max(level, evidenced.get(competency_id, 0))
    rows = []
    for competency in competencies:
        rating = ratings.get(competency.pk)
        have = evidenced.get(competency.pk, 0)
        target = rating.level if rating else 0
        if rating is None:
            status = GapStatus.NOT_RATED
        elif have >= target:
            status = GapStatus.EVIDENCED
        elif rating.rating == SelfAssessment.Rating.ACHIEVED:
            status = GapStatus.NEEDS_EVIDENCE
        else:
            status = GapStatus.TO_DEVELOP
        rows.append(
            GapRow(
                competency=competency,
                self_assessment=rating,
                target_level=target,
                target_label=framework.level_label(target) if target else "",
                evidenced_level=have,
                evidenced_label=framework.level_label(have) if have else "",
                status=status,
            )
        )
    targets = {row.competency.pk: row.target_level for row in rows if row.is_gap}
    by_id = {competency.pk: competency for competency in competencies}
    return GapAnalysis(
        framework=framework,
        rows=rows,
        recommendations=recommended_pages(targets=targets, competencies=by_id),
    )


def _ancestor_paths(path: str) -> list[str]:
    step = Page.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def recommended_pages(
    *, targets: dict[int, int], competencies: dict[int, Competency] | None = None
) -> list[Recommendation]:
    """Live, public pages of the recommended types that develop these competencies.

    ``targets`` maps competency ids to the level wanted; a page mapped at that level or above
    counts. A lesson or module mapping recommends its course (the nearest ancestor of a
    recommended type). Two queries whatever the number of competencies.
    """
    if not targets:
        return []
    type_ids = []
    for label in recommended_page_types():
        app_label, _, model = label.lower().partition(".")
        try:
            type_ids.append(ContentType.objects.get_by_natural_key(app_label, model).pk)
        except ContentType.DoesNotExist:
            continue
    if not type_ids:
        return []
    mappings = [
        (path, competency_id)
        for path, competency_id, level in PageCompetency.objects.filter(
            competency_id__in=list(targets), page__live=True
        ).values_list("page__path", "competency_id", "level")
        if level >= targets[competency_id]
    ]
    if not mappings:
        return []
    wanted_paths = {ancestor for path, _ in mappings for ancestor in _ancestor_paths(path)}
    pages = {
        page.path: page
        for page in Page.objects.live()
        .public()
        .filter(path__in=wanted_paths, content_type_id__in=type_ids)
        .order_by("path")
    }
    covered: dict[str, set[int]] = {}
    for path, competency_id in mappings:
        # The nearest ancestor (or the page itself) of a recommended type.
        for ancestor in reversed(_ancestor_paths(path)):
            if ancestor in pages:
                covered.setdefault(ancestor, set()).add(competency_id)
                break
    competencies = competencies or {
        competency.pk: competency for competency in Competency.objects.filter(pk__in=list(targets))
    }
    recommendations = [
        Recommendation(
            page=pages[path],
            competencies=sorted(
                (competencies[pk] for pk in ids if pk in competencies),
                key=lambda c: (c.sort_order, c.code),
            ),
        )
        for path, ids in covered.items()
    ]
    recommendations.sort(key=lambda r: (-len(r.competencies), r.page.title.lower()))
    return recommendations


def competency_data_export_for_user(user) -> dict[str, list[dict]]:
    """What this app holds about a person, JSON-safe, for their data export."""

    def when(value) -> str | None:
        return value.isoformat() if value else None

    def competency_name(competency: Competency) -> str:
        return f"{competency.framework.name}: {competency.code} {competency.short_name}"

    observations = (
        Observation.objects.filter(trainee=user)
        .select_related("observer", "framework")
        .prefetch_related("ratings__competency__framework")
        .order_by("observed_on", "pk")
    )
    external = (
        ExternalLearning.objects.filter(user=user)
        .select_related("programme")
        .prefetch_related("claims__competency__framework")
        .order_by("completed_on", "pk")
    )
    return {
        "evidence": [
            {
                "competency": competency_name(item.competency),
                "level": item.competency.framework.level_label(item.level),
                "kind": item.get_kind_display(),
                "outcome": item.get_outcome_display(),
                "occurred_on": when(item.occurred_on),
                "title": item.title,
                "detail": item.detail,
            }
            for item in Evidence.objects.filter(user=user)
            .select_related("competency__framework")
            .order_by("occurred_on", "pk")
        ],
        "observations_of_your_practice": [
            {
                "observed_on": when(observation.observed_on),
                "setting": observation.setting,
                "observer": person_name(observation.observer),
                "comments": observation.comments,
                "withdrawn_at": when(observation.withdrawn_at),
                "competencies": [
                    {
                        "competency": competency_name(rating.competency),
                        "level": rating.competency.framework.level_label(rating.level),
                        "outcome": rating.get_outcome_display(),
                    }
                    for rating in observation.ratings.all()
                ],
            }
            for observation in observations
        ],
        "self_assessments": [
            {
                "competency": competency_name(row.competency),
                "level": row.competency.framework.level_label(row.level),
                "rating": row.get_rating_display(),
                "updated_at": when(row.updated_at),
            }
            for row in SelfAssessment.objects.filter(user=user).select_related(
                "competency__framework"
            )
        ],
        "external_learning": [
            {
                "title": item.title,
                "provider": item.provider,
                "from_programme_directory": str(item.programme) if item.programme else None,
                "completed_on": when(item.completed_on),
                "hours": str(item.hours),
                "participatory": item.participatory,
                "reflection": item.reflection,
                "evidence_file": item.evidence_file_name,
                "status": item.get_status_display(),
                "reviewed_at": when(item.reviewed_at),
                "rejection_reason": item.rejection_reason,
                "submitted_at": when(item.submitted_at),
                "updated_at": when(item.updated_at),
                "competencies": [
                    {
                        "competency": competency_name(claim.competency),
                        "level": claim.competency.framework.level_label(claim.level),
                    }
                    for claim in item.claims.all()
                ],
            }
            for item in external
        ],
    }
