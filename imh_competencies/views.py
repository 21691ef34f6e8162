"""Competency profile, evidence, self-assessment, observation and external learning pages.

Each view parses the request and calls one service or selector. Everything personal is
looked up through the person's own records (or, for observers, the observations they
recorded), so another person's id is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from imh_competencies import selectors, services
from imh_competencies.downloads import private_file_response
from imh_competencies.forms import (
    ExternalLearningForm,
    ObservationForm,
    ObservationStartForm,
    SelfAssessmentForm,
)
from imh_competencies.models import Competency, Evidence, ExternalLearning, Framework
from imh_competencies.policies import user_may_record_observations
from imh_core.forms import add_service_errors
from imh_core.people import person_name


def _crumbs(*extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [(_("Home"), "/"), (_("My competencies"), reverse("imh_competencies:profile")), *extra]


# The competency profile.


@login_required
@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    frameworks = list(selectors.frameworks())
    framework = selectors.framework_for_profile(
        user=request.user, slug=request.GET.get("framework")
    )
    if framework is not None:
        # Reuse the framework object from the list: one query fewer, same row.
        framework = next((f for f in frameworks if f.pk == framework.pk), framework)
    areas = (
        selectors.competency_profile(user=request.user, framework=framework) if framework else []
    )
    return render(
        request,
        "imh_competencies/profile.html",
        {
            "frameworks": frameworks,
            "framework": framework,
            "areas": areas,
            "kinds": Evidence.Kind,
            "may_observe": user_may_record_observations(request.user),
            "crumbs": [(_("Home"), "/")],
        },
    )


@login_required
@require_GET
def competency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    competency = get_object_or_404(
        Competency.objects.select_related("framework", "area", "parent"), pk=pk
    )
    standing = selectors.competency_standing(user=request.user, competency=competency)
    framework = competency.framework
    return render(
        request,
        "imh_competencies/competency_detail.html",
        {
            "competency": competency,
            "framework": framework,
            "standing": standing,
            "descriptors": [
                {
                    "level": number,
                    "label": label,
                    "text": competency.descriptor(number),
                    "evidenced": standing.highest_level >= number,
                }
                for number, label in framework.level_choices
            ],
            "crumbs": _crumbs(
                (
                    framework.name,
                    reverse("imh_competencies:profile") + f"?framework={framework.slug}",
                )
            ),
        },
    )


# Observations of practice.


def _require_observer(request: HttpRequest) -> None:
    if not user_may_record_observations(request.user):
        raise PermissionDenied(_("Only educators and named supervisors can record observations."))


@login_required
@require_GET
def observations(request: HttpRequest) -> HttpResponse:
    """Observations I recorded."""
    return render(
        request,
        "imh_competencies/observations/list.html",
        {
            "observations": selectors.observations_recorded_by(observer=request.user),
            "may_observe": user_may_record_observations(request.user),
            "crumbs": _crumbs(),
        },
    )


def _competencies(framework: Framework) -> list[Competency]:
    return list(
        selectors.competencies_of(framework=framework).order_by(
            "area__sort_order", "area__code", "sort_order", "code"
        )
    )


@login_required
@require_http_methods(["GET", "POST"])
def observation_new(request: HttpRequest) -> HttpResponse:
    """Step 1 (GET with trainee and framework) chooses whose practice; step 2 (POST) rates it."""
    _require_observer(request)
    data = request.POST if request.method == "POST" else request.GET
    start = ObservationStartForm(data if ("framework" in data) else None, observer=request.user)
    if not start.is_bound or not start.is_valid():
        return render(
            request,
            "imh_competencies/observations/start.html",
            {
                "form": start,
                "crumbs": _crumbs((_("Observations"), reverse("imh_competencies:observations"))),
            },
        )
    trainee = start.cleaned_data["trainee"]
    framework = start.cleaned_data["framework"]
    competencies = _competencies(framework)
    if request.method == "POST":
        form = ObservationForm(request.POST, framework=framework, competencies=competencies)
        if form.is_valid():
            try:
                observation = services.observation_record(
                    observer=request.user,
                    trainee=trainee,
                    framework=framework,
                    observed_on=form.cleaned_data["observed_on"],
                    setting=form.cleaned_data["setting"],
                    ratings=form.cleaned_data["ratings"],
                    comments=form.cleaned_data["comments"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The observation is recorded. It now shows on %(name)s's competency profile.")
                    % {"name": person_name(trainee)},
                )
                return redirect("imh_competencies:observation_detail", pk=observation.pk)
    else:
        form = ObservationForm(
            initial={"observed_on": timezone.localdate()},
            framework=framework,
            competencies=competencies,
        )
    return render(
        request,
        "imh_competencies/observations/form.html",
        {
            "form": form,
            "start": start,
            "trainee": trainee,
            "trainee_name": person_name(trainee),
            "framework": framework,
            "start_values": {
                name: start.data.get(name, "")
                for name in ("supervisee", "trainee_email", "framework")
                if name in start.fields
            },
            "crumbs": _crumbs((_("Observations"), reverse("imh_competencies:observations"))),
        },
    )


@login_required
@require_GET
def observation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    observation = selectors.observation_for_viewer(user=request.user, pk=pk)
    is_observer = observation.observer_id == request.user.pk
    return render(
        request,
        "imh_competencies/observations/detail.html",
        {
            "observation": observation,
            "ratings": selectors.observation_ratings(observation=observation),
            "is_observer": is_observer,
            "trainee_name": person_name(observation.trainee),
            "observer_name": person_name(observation.observer) if observation.observer else "",
            "crumbs": _crumbs((_("Observations"), reverse("imh_competencies:observations")))
            if is_observer
            else _crumbs(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def observation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    observation = selectors.observation_for_observer(user=request.user, pk=pk)
    framework = observation.framework
    competencies = _competencies(framework)
    if request.method == "POST":
        form = ObservationForm(request.POST, framework=framework, competencies=competencies)
        if form.is_valid():
            try:
                services.observation_update(
                    observation=observation,
                    actor=request.user,
                    observed_on=form.cleaned_data["observed_on"],
                    setting=form.cleaned_data["setting"],
                    ratings=form.cleaned_data["ratings"],
                    comments=form.cleaned_data["comments"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The observation is updated."))
                return redirect("imh_competencies:observation_detail", pk=observation.pk)
    else:
        initial = {
            "observed_on": observation.observed_on,
            "setting": observation.setting,
            "comments": observation.comments,
        }
        for rating in observation.ratings.all():
            initial[f"level_{rating.competency_id}"] = rating.level
            initial[f"outcome_{rating.competency_id}"] = rating.outcome
        form = ObservationForm(initial=initial, framework=framework, competencies=competencies)
    return render(
        request,
        "imh_competencies/observations/form.html",
        {
            "form": form,
            "observation": observation,
            "trainee": observation.trainee,
            "trainee_name": person_name(observation.trainee),
            "framework": framework,
            "crumbs": _crumbs((_("Observations"), reverse("imh_competencies:observations"))),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def observation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    observation = selectors.observation_for_observer(user=request.user, pk=pk)
    if request.method == "POST":
        services.observation_withdraw(observation=observation, actor=request.user)
        messages.success(
            request, _("The observation is withdrawn. It no longer counts as evidence.")
        )
        return redirect("imh_competencies:observations")
    return render(
        request,
        "imh_competencies/observations/withdraw_confirm.html",
        {
            "observation": observation,
            "trainee_name": person_name(observation.trainee),
            "crumbs": _crumbs((_("Observations"), reverse("imh_competencies:observations"))),
        },
    )


# Self-assessment and gap analysis.


@login_required
@require_GET
def self_assessment_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "imh_competencies/self_assessment/index.html",
        {"frameworks": selectors.frameworks(), "crumbs": _crumbs()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def self_assessment(request: HttpRequest, slug: str) -> HttpResponse:
    framework = get_object_or_404(Framework, slug=slug)
    competencies = _competencies(framework)
    if request.method == "POST":
        form = SelfAssessmentForm(request.POST, framework=framework, competencies=competencies)
        if form.is_valid():
            try:
                services.self_assessment_save(
                    user=request.user,
                    framework=framework,
                    level=form.cleaned_data["level"],
                    ratings=form.cleaned_data["ratings"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your self-assessment is saved."))
                return redirect("imh_competencies:gap_analysis", slug=framework.slug)
    else:
        existing = selectors.self_assessments_for(user=request.user, framework=framework)
        initial: dict[str, object] = {f"rating_{pk}": row.rating for pk, row in existing.items()}
        levels = [row.level for row in existing.values()]
        initial["level"] = max(levels, key=levels.count) if levels else 1
        form = SelfAssessmentForm(initial=initial, framework=framework, competencies=competencies)
    return render(
        request,
        "imh_competencies/self_assessment/form.html",
        {
            "form": form,
            "framework": framework,
            "crumbs": _crumbs(
                (_("Self-assessment"), reverse("imh_competencies:self_assessment_index"))
            ),
        },
    )


@login_required
@require_GET
def gap_analysis(request: HttpRequest, slug: str) -> HttpResponse:
    framework = get_object_or_404(Framework, slug=slug)
    analysis = selectors.gap_analysis(user=request.user, framework=framework)
    return render(
        request,
        "imh_competencies/self_assessment/gaps.html",
        {
            "framework": framework,
            "analysis": analysis,
            "rated": any(row.self_assessment for row in analysis.rows),
            "crumbs": _crumbs(
                (_("Self-assessment"), reverse("imh_competencies:self_assessment_index")),
                (
                    framework.name,
                    reverse("imh_competencies:self_assessment", args=[framework.slug]),
                ),
            ),
        },
    )


# External learning.


def _external_crumbs() -> list[tuple[str, str]]:
    return _crumbs((_("Learning done elsewhere"), reverse("imh_competencies:external_learning")))


def _framework_chosen(request: HttpRequest) -> tuple[bool, Framework | None]:
    """Whether the person has answered "which framework?", and their answer.

    An empty answer means no framework: the learning is logged for CPD only. With no
    frameworks on the site there is nothing to ask.
    """
    data = request.POST if "framework" in request.POST else request.GET
    if "framework" not in data:
        return (not Framework.objects.exists(), None)
    slug = data["framework"]
    if not slug:
        return True, None
    framework = Framework.objects.filter(slug=slug).first()
    return framework is not None, framework


def _choose_framework(
    request: HttpRequest, *, action: str, current: Framework | None = None, step: bool = True
) -> HttpResponse:
    return render(
        request,
        "imh_competencies/external/choose_framework.html",
        {
            "frameworks": selectors.frameworks(),
            "action": action,
            "current": current,
            "step": step,
            "crumbs": _external_crumbs(),
        },
    )


@login_required
@require_GET
def external_learning(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "imh_competencies/external/list.html",
        {
            "items": selectors.external_learning_for_user(user=request.user),
            "crumbs": _crumbs(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def external_learning_new(request: HttpRequest) -> HttpResponse:
    chosen, framework = _framework_chosen(request)
    if not chosen:
        return _choose_framework(request, action=reverse("imh_competencies:external_learning_new"))
    if request.method == "POST":
        form = ExternalLearningForm(request.POST, request.FILES, framework=framework)
        if form.is_valid():
            try:
                item = services.external_learning_create(
                    user=request.user, **form.service_arguments()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _saved_message(item))
                return redirect("imh_competencies:external_learning_detail", pk=item.pk)
    else:
        form = ExternalLearningForm(framework=framework)
    return render(
        request,
        "imh_competencies/external/form.html",
        {
            "form": form,
            "framework": framework,
            "item": None,
            "may_choose": Framework.objects.exists(),
            "crumbs": _external_crumbs(),
        },
    )


def _saved_message(item: ExternalLearning) -> str:
    if item.status == ExternalLearning.Status.PENDING:
        return _(
            "“%(title)s” is saved and counts towards your CPD hours. An educator checks the "
            "competencies you claimed; we will email you when they have."
        ) % {"title": item.title}
    return _("“%(title)s” is saved and counts towards your CPD hours.") % {"title": item.title}


@login_required
@require_http_methods(["GET", "POST"])
def external_learning_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.external_learning_of_owner(user=request.user, pk=pk)
    action = reverse("imh_competencies:external_learning_edit", args=[item.pk])
    claimed = selectors.external_learning_framework(external_learning=item)
    if request.method == "GET" and request.GET.get("choose"):
        return _choose_framework(request, action=action, current=claimed, step=False)
    chosen, framework = _framework_chosen(request)
    if not chosen:
        framework = claimed
    if request.method == "POST":
        form = ExternalLearningForm(request.POST, request.FILES, framework=framework, instance=item)
        if form.is_valid():
            try:
                item = services.external_learning_update(
                    external_learning=item,
                    actor=request.user,
                    remove_evidence=form.cleaned_data.get("remove_evidence", False),
                    **form.service_arguments(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _saved_message(item))
                return redirect("imh_competencies:external_learning_detail", pk=item.pk)
    else:
        form = ExternalLearningForm(framework=framework, instance=item)
    return render(
        request,
        "imh_competencies/external/form.html",
        {
            "form": form,
            "framework": framework,
            "item": item,
            "may_choose": Framework.objects.exists(),
            "crumbs": _external_crumbs(),
        },
    )


@login_required
@require_GET
def external_learning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.external_learning_of_owner(user=request.user, pk=pk)
    return render(
        request,
        "imh_competencies/external/detail.html",
        {
            "item": item,
            "claims": selectors.external_learning_claims(external_learning=item),
            "crumbs": _external_crumbs(),
        },
    )


@login_required
@require_GET
def external_learning_file(request: HttpRequest, pk: int) -> FileResponse:
    """The evidence file, only to its owner and educators, always as a download."""
    item = selectors.external_learning_for_file(user=request.user, pk=pk)
    return private_file_response(file=item.evidence_file, original_name=item.evidence_file_name)


@login_required
@require_http_methods(["GET", "POST"])
def external_learning_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.external_learning_of_owner(user=request.user, pk=pk)
    if request.method == "POST":
        services.external_learning_delete(external_learning=item, actor=request.user)
        messages.success(request, _("“%(title)s” is removed.") % {"title": item.title})
        return redirect("imh_competencies:external_learning")
    return render(
        request,
        "imh_competencies/external/delete_confirm.html",
        {"item": item, "crumbs": _external_crumbs()},
    )


urlpatterns = [
    path("", profile, name="profile"),
    path("competency/<int:pk>/", competency_detail, name="competency"),
    path("observations/", observations, name="observations"),
    path("observations/new/", observation_new, name="observation_new"),
    path("observations/<int:pk>/", observation_detail, name="observation_detail"),
    path("observations/<int:pk>/edit/", observation_edit, name="observation_edit"),
    path("observations/<int:pk>/withdraw/", observation_withdraw, name="observation_withdraw"),
    path("self-assessment/", self_assessment_index, name="self_assessment_index"),
    path("self-assessment/<slug:slug>/", self_assessment, name="self_assessment"),
    path("self-assessment/<slug:slug>/gaps/", gap_analysis, name="gap_analysis"),
    path("external-learning/", external_learning, name="external_learning"),
    path("external-learning/new/", external_learning_new, name="external_learning_new"),
    path("external-learning/<int:pk>/", external_learning_detail, name="external_learning_detail"),
    path("external-learning/<int:pk>/edit/", external_learning_edit, name="external_learning_edit"),
    path("external-learning/<int:pk>/file/", external_learning_file, name="external_learning_file"),
    path(
        "external-learning/<int:pk>/remove/",
        external_learning_delete,
        name="external_learning_delete",
    ),
]
