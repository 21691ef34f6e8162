"""The practitioner's pages for recognition: schemes, their applications, the review thread."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from imh_recognition import selectors, services
from imh_recognition.forms import ApplicationForm, RespondForm, include_field_name
from imh_recognition.models import Application, Recognition, Scheme


def _crumbs(*extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [(_("Home"), "/"), (_("Recognition"), reverse("imh_recognition:overview")), *extra]


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    applications = list(selectors.applications_for(user=request.user))
    recognitions = list(selectors.recognitions_for(user=request.user))
    open_scheme_ids = {a.scheme_id for a in applications if a.is_open}
    held_scheme_ids = {r.scheme_id for r in recognitions if r.status == Recognition.Status.ACTIVE}
    schemes = [
        {
            "scheme": scheme,
            "open_application": next(
                (a for a in applications if a.scheme_id == scheme.pk and a.is_open), None
            ),
            "held": scheme.pk in held_scheme_ids,
            "may_apply": scheme.pk not in open_scheme_ids and scheme.pk not in held_scheme_ids,
        }
        for scheme in selectors.schemes_open()
    ]
    return render(
        request,
        "imh_recognition/overview.html",
        {
            "schemes": schemes,
            "applications": applications,
            "recognitions": recognitions,
            "crumbs": [(_("Home"), "/")],
        },
    )


@login_required
@require_POST
def application_start(request: HttpRequest, scheme_pk: int) -> HttpResponse:
    scheme = get_object_or_404(Scheme.objects.select_related("framework"), pk=scheme_pk)
    try:
        application = services.application_start(applicant=request.user, scheme=scheme)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("imh_recognition:overview")
    messages.success(
        request,
        _("Your application is started. We have gathered the evidence you have on this site."),
    )
    return redirect("imh_recognition:application", pk=application.pk)


def _application_context(
    application: Application, form: ApplicationForm | None, respond_form: RespondForm | None
) -> dict:
    evidence = selectors.application_evidence(application=application)
    areas = []
    for area in evidence.areas:
        entries = []
        for entry in area.competencies:
            entries.append(
                {
                    "entry": entry,
                    "statement_field": form[f"statement_{entry.competency.pk}"] if form else None,
                    "items": [
                        {"item": item, "field": form[include_field_name(item.pk)] if form else None}
                        for item in entry.items
                    ],
                }
            )
        areas.append({"area": area.area, "entries": entries})
    whole = [
        {"item": item, "field": form[include_field_name(item.pk)] if form else None}
        for item in evidence.whole
    ]
    return {
        "application": application,
        "form": form,
        "respond_form": respond_form,
        "areas": areas,
        "whole": whole,
        "requirements": selectors.application_requirements(application=application),
        "thread": selectors.messages_for_applicant(application=application),
        "open_request": selectors.request_open(application=application),
        "recognition": Recognition.objects.filter(application=application).first(),
        "crumbs": _crumbs(),
    }


def _show_errors(
    error: ValidationError, form: ApplicationForm, respond_form: RespondForm | None
) -> None:
    """A service's refusal on the form: the answer's errors on the answer box."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        if field == "text" and respond_form is not None:
            respond_form.add_error("text", errors)
        else:
            form.add_error(field if field in form.fields else None, errors)


def _save(form: ApplicationForm, application: Application, user) -> Application:
    return services.application_update(
        application=application,
        applicant=user,
        area_of_practice=form.cleaned_data["area_of_practice"],
        region=form.cleaned_data["region"],
        statement=form.cleaned_data["statement"],
        public_consent_requested=form.cleaned_data["public_consent_requested"],
        competency_statements=form.competency_statements(),
        excluded_item_ids=form.excluded_item_ids(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for_applicant(user=request.user, pk=pk)
    form = respond_form = None
    if application.is_editable:
        evidence = selectors.application_evidence(application=application)
        if request.method == "POST":
            action = request.POST.get("action", "save")
            form = ApplicationForm(request.POST, application=application, evidence=evidence)
            respond_form = RespondForm(request.POST) if application.status == "more_info" else None
            if form.is_valid() and (respond_form is None or respond_form.is_valid()):
                try:
                    _save(form, application, request.user)
                    if action == "refresh":
                        services.application_refresh_evidence(application=application)
                        messages.success(request, _("Your evidence is gathered again."))
                    elif action == "submit" and application.status == Application.Status.DRAFT:
                        services.application_submit(application=application, applicant=request.user)
                        messages.success(
                            request,
                            _("Your application is submitted. An assessor will review it."),
                        )
                    elif action == "respond" and respond_form is not None:
                        services.application_respond(
                            application=application,
                            applicant=request.user,
                            text=respond_form.cleaned_data["text"],
                        )
                        messages.success(
                            request,
                            _("Your answer is sent. An assessor will look at it again."),
                        )
                    else:
                        messages.success(request, _("Your changes are saved."))
                except ValidationError as error:
                    _show_errors(error, form, respond_form)
                else:
                    return redirect("imh_recognition:application", pk=application.pk)
            # The form is shown again with its errors; the stored evidence may have changed.
            application.refresh_from_db()
        else:
            form = ApplicationForm(application=application, evidence=evidence)
            if application.status == Application.Status.MORE_INFO:
                respond_form = RespondForm()
    elif request.method == "POST":
        return redirect("imh_recognition:application", pk=application.pk)
    return render(
        request,
        "imh_recognition/application.html",
        _application_context(application, form, respond_form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for_applicant(user=request.user, pk=pk)
    if not application.is_open:
        return redirect("imh_recognition:application", pk=application.pk)
    if request.method == "POST":
        services.application_withdraw(application=application, applicant=request.user)
        messages.success(request, _("Your application is withdrawn."))
        return redirect("imh_recognition:overview")
    return render(
        request,
        "imh_recognition/withdraw_confirm.html",
        {
            "application": application,
            "crumbs": _crumbs(
                (
                    application.scheme.title,
                    reverse("imh_recognition:application", args=[application.pk]),
                )
            ),
        },
    )
