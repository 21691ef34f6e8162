"""The trainee's CPD portfolio: certificates, external CPD, reflections, and its exports.

Everything is looked up through the person's own records, so another person's id is a 404.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from imh_certificates import portfolio as services
from imh_competencies.downloads import private_file_response


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs={"class": "nhsuk-input--width-10", **(attrs or {})}, format="%Y-%m-%d"
        )


class ExternalCPDForm(forms.Form):
    title = forms.CharField(
        label="Title of the learning",
        max_length=255,
        error_messages={
            "required": "Enter the title of the learning.",
            "max_length": "Enter a title of 255 characters or fewer.",
        },
    )
    provider = forms.CharField(
        label="Provider",
        max_length=255,
        help_text="Who ran it, for example a university, a trust or a charity.",
        error_messages={
            "required": "Enter who provided the learning.",
            "max_length": "Enter a provider of 255 characters or fewer.",
        },
    )
    completed_on = forms.DateField(
        label="Date completed",
        widget=DateInput(),
        error_messages={
            "required": "Enter the date you completed the learning.",
            "invalid": "Enter the date completed as a real date.",
        },
    )
    hours = forms.DecimalField(
        label="Hours of learning",
        min_value=Decimal("0.1"),
        max_value=Decimal("999.9"),
        max_digits=5,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-4", "step": "0.1"}),
        error_messages={
            "required": "Enter the hours of learning.",
            "invalid": "Enter the hours as a number, like 3 or 7.5.",
            "min_value": "Enter the hours as a number greater than 0, like 3 or 7.5.",
            "max_value": "Enter 999 hours or fewer.",
            "max_decimal_places": "Enter the hours to one decimal place, like 7.5.",
            "max_digits": "Enter 999 hours or fewer.",
        },
    )
    participatory = forms.BooleanField(
        label="This learning involved other people",
        required=False,
        help_text="For example a workshop, a study day or a group discussion. Professional "
        "revalidation counts these as participatory hours.",
    )
    reflection = forms.CharField(
        label="Reflection",
        required=False,
        max_length=10000,
        help_text="What you learnt and how it changed your practice.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"max_length": "Enter a reflection of 10,000 characters or fewer."},
    )
    evidence_file = forms.FileField(
        label="Evidence (optional)",
        required=False,
        help_text="A certificate or letter: a PDF, Word (.docx), JPG or PNG file up to 10 MB.",
    )

    def clean_completed_on(self) -> Any:
        value = self.cleaned_data.get("completed_on")
        if value and value > timezone.localdate():
            raise ValidationError("The date completed must be today or in the past.")
        return value

    def clean_evidence_file(self) -> Any:
        from imh_competencies.services import evidence_file_validate

        upload = self.cleaned_data.get("evidence_file")
        if upload:
            try:
                evidence_file_validate(upload)
            except ValidationError as error:
                raise ValidationError(error.message_dict["evidence_file"]) from None
        return upload


class ExternalCPDEditForm(ExternalCPDForm):
    remove_evidence = forms.BooleanField(label="Remove the evidence file", required=False)


def _add_service_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = name if name in form.fields else None
            for item in errors:
                form.add_error(target, item.messages[0] if item.messages else str(item))
    else:
        for message in error.messages:
            form.add_error(None, message)


def _crumbs(*extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [("Home", "/"), *extra]


def _portfolio_crumbs() -> list[tuple[str, str]]:
    return _crumbs(("CPD portfolio", reverse("imh_certificates:portfolio")))


@login_required
@require_GET
def portfolio(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "imh_certificates/portfolio.html",
        {"portfolio": services.portfolio_for(user=request.user), "crumbs": _crumbs()},
    )


def _form_data(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": data["title"],
        "provider": data["provider"],
        "completed_on": data["completed_on"],
        "hours": data["hours"],
        "participatory": data.get("participatory", False),
        "reflection": data.get("reflection", ""),
        "evidence_file": data.get("evidence_file"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def external_cpd_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ExternalCPDForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                item = services.external_cpd_create(
                    user=request.user, **_form_data(form.cleaned_data)
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, f"“{item.title}” is added to your CPD portfolio.")
                return redirect(f"{reverse('imh_certificates:portfolio')}#external-cpd")
    else:
        form = ExternalCPDForm()
    return render(
        request,
        "imh_certificates/portfolio_cpd_form.html",
        {"form": form, "item": None, "crumbs": _portfolio_crumbs()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def external_cpd_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = services.external_cpd_of_owner(user=request.user, pk=pk)
    if request.method == "POST":
        form = ExternalCPDEditForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                item = services.external_cpd_update(
                    external_cpd=item,
                    actor=request.user,
                    remove_evidence=form.cleaned_data.get("remove_evidence", False),
                    **_form_data(form.cleaned_data),
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, f"“{item.title}” is saved.")
                return redirect(f"{reverse('imh_certificates:portfolio')}#external-cpd")
    else:
        form = ExternalCPDEditForm(
            initial={
                "title": item.title,
                "provider": item.provider,
                "completed_on": item.completed_on,
                "hours": item.hours,
                "participatory": item.participatory,
                "reflection": item.reflection,
            }
        )
    if not item.evidence_file:
        form.fields.pop("remove_evidence", None)
    return render(
        request,
        "imh_certificates/portfolio_cpd_form.html",
        {"form": form, "item": item, "crumbs": _portfolio_crumbs()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def external_cpd_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = services.external_cpd_of_owner(user=request.user, pk=pk)
    if request.method == "POST":
        services.external_cpd_delete(external_cpd=item, actor=request.user)
        messages.success(request, f"“{item.title}” is removed from your CPD portfolio.")
        return redirect(f"{reverse('imh_certificates:portfolio')}#external-cpd")
    return render(
        request,
        "imh_certificates/portfolio_cpd_delete.html",
        {"item": item, "crumbs": _portfolio_crumbs()},
    )


@login_required
@require_GET
def external_cpd_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """The evidence file, to its owner only, always as a download."""
    item = services.external_cpd_of_owner(user=request.user, pk=pk)
    if not item.evidence_file:
        raise Http404("This CPD has no evidence file.")
    return private_file_response(file=item.evidence_file, original_name=item.evidence_file_name)


def _export_name(extension: str) -> str:
    return f"cpd-portfolio-{timezone.localdate():%Y-%m-%d}.{extension}"


@login_required
@require_GET
def portfolio_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        # A byte-order mark so that spreadsheet programs read the file as UTF-8.
        "\ufeff" + services.portfolio_csv(user=request.user),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name("csv")}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def portfolio_pdf(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        services.portfolio_pdf(user=request.user), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name("pdf")}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("certificates/", portfolio, name="portfolio"),
    path("imh_certificates/portfolio.csv", portfolio_csv, name="portfolio_csv"),
    path("imh_certificates/portfolio.pdf", portfolio_pdf, name="portfolio_pdf"),
    path("certificates/cpd/new/", external_cpd_new, name="external_cpd_new"),
    path("certificates/cpd/<int:pk>/edit/", external_cpd_edit, name="external_cpd_edit"),
    path("certificates/cpd/<int:pk>/delete/", external_cpd_delete, name="external_cpd_delete"),
    path(
        "certificates/cpd/<int:pk>/evidence/", external_cpd_evidence, name="external_cpd_evidence"
    ),
]
