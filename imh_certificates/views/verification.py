"""Public verification: the code form, the QR target page, the JSON API and bulk CSV checks.

Anyone may check a code; nothing beyond what the certificate itself states is shown. Every
not-found (unknown, malformed or overlong code) is the same response after the same single
lookup. Lookups are rate limited per client address (see ``imh_certificates.verification``).
"""

from __future__ import annotations

import json

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from imh_certificates import verification as v
from imh_certificates.models import code_normalise
from imh_core.jsonsafe import json_loads
from imh_core.public_api import no_index, public_lookup


class VerifyCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Certificate code"),
        help_text=format_lazy(
            _(
                "Printed on the certificate under the QR code, in the format {code_format}"
                " (20 letters and numbers). Capitals, spaces and dashes do not matter."
            ),
            code_format=v.CODE_FORMAT_HINT,
        ),
        max_length=200,
        error_messages={
            "required": _("Enter the certificate code"),
            "max_length": _(
                "Enter the certificate code exactly as it is printed on the certificate"
            ),
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "characters",
                "class": "nhsuk-input--width-20",
            }
        ),
    )

    def clean_code(self) -> str:
        canonical = code_normalise(self.cleaned_data["code"])
        if canonical is None:
            raise ValidationError(
                gettext(
                    "Enter the certificate code exactly as it is printed on the certificate, in "
                    "the format %(code_format)s"
                )
                % {"code_format": v.CODE_FORMAT_HINT}
            )
        return canonical


class BulkUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Upload a CSV file of certificate codes"),
        error_messages={"required": _("Select a CSV file of certificate codes")},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "One code a row, in the first column or in a column headed “code”. Up to "
            "%(count)s codes."
        ) % {"count": f"{v.bulk_max_rows():,}"}
        self.codes: list[tuple[int, str]] = []

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > v.bulk_max_bytes():
            raise ValidationError(
                gettext("The selected file must be smaller than %(size)s KB.")
                % {"size": f"{v.bulk_max_bytes() // 1024:,}"}
            )
        try:
            self.codes = v.bulk_codes_parse(name=upload.name, data=upload.read())
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return upload


def _too_many_page(request: HttpRequest, retry_after: int) -> HttpResponse:
    response = render(
        request,
        "imh_certificates/verify_rate_limited.html",
        {"retry_after": retry_after, "crumbs": [(gettext("Home"), "/")]},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return no_index(response)


def _crumbs() -> list[tuple[str, str]]:
    return [
        (gettext("Home"), "/"),
        (gettext("Verify a certificate"), reverse("imh_certificates:verify")),
    ]


@require_safe
def verify(request: HttpRequest) -> HttpResponse:
    """The form: a GET form, so it needs no session and its result can be bookmarked."""
    form = VerifyCodeForm(request.GET) if "code" in request.GET else VerifyCodeForm()
    if form.is_bound and form.is_valid():
        return redirect("imh_certificates:verify_code", code=form.cleaned_data["code"])
    response = render(
        request,
        "imh_certificates/verify.html",
        {"form": form, "crumbs": [(gettext("Home"), "/")]},
    )
    return no_index(response)


@require_safe
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    """The QR target: what the certificate states and whether it is still valid."""
    retry_after = v.rate_limit_hit(request, scope="page")
    if retry_after is not None:
        return _too_many_page(request, retry_after)
    canonical = code_normalise(code)
    if canonical is not None and canonical != code:
        return redirect("imh_certificates:verify_code", code=canonical)
    certificate = v.certificate_public_lookup(code=code)
    if certificate is None:
        response = render(
            request,
            "imh_certificates/verify_not_found.html",
            {
                "form": VerifyCodeForm(),
                "message": v.NOT_FOUND_MESSAGE,
                "code_format": v.CODE_FORMAT_HINT,
                "crumbs": _crumbs(),
            },
            status=404,
        )
        return no_index(response)
    public = v.certificate_public(certificate, base_url=request.build_absolute_uri("/")[:-1])
    response = render(
        request, "imh_certificates/verify_result.html", {"cert": public, "crumbs": _crumbs()}
    )
    return no_index(response)


# JSON API ----------------------------------------------------------------------------------


@csrf_exempt  # it never changes anything; other methods must get 405, not a CSRF 403
def api_certificate(request: HttpRequest, code: str) -> HttpResponse:
    def lookup() -> dict | None:
        certificate = v.certificate_public_lookup(code=code)
        if certificate is None:
            return None
        base_url = request.build_absolute_uri("/")[:-1]
        return v.certificate_public_json(v.certificate_public(certificate, base_url=base_url))

    return public_lookup(
        request,
        noun="certificates",
        rate_limit_hit=lambda request: v.rate_limit_hit(request, scope="api"),
        lookup=lookup,
        not_found_message=str(v.NOT_FOUND_MESSAGE),
    )


# Bulk verification for employer managers ---------------------------------------------------


def _require_manager(request: HttpRequest) -> None:
    from imh_certificates.policies import user_is_manager

    if not user_is_manager(user=request.user):
        raise PermissionDenied(gettext("Only managers of an organisation can check codes in bulk."))


def _bulk_crumbs() -> list[tuple[str, str]]:
    return [
        (gettext("Home"), "/"),
        (gettext("Check many certificates"), reverse("imh_certificates:verify_many")),
    ]


def _csv_response(rows: list[v.BulkRow]) -> HttpResponse:
    filename = f"certificate-checks-{timezone.localdate():%Y-%m-%d}.csv"
    response = HttpResponse(v.bulk_results_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def verify_many(request: HttpRequest) -> HttpResponse:
    """Upload a CSV of codes; see every result in a table and download them as CSV."""
    _require_manager(request)
    base_url = request.build_absolute_uri("/")[:-1]
    if request.method == "POST":
        retry_after = v.rate_limit_hit(request, scope="bulk")
        if retry_after is not None:
            return _too_many_page(request, retry_after)
        form = BulkUploadForm(request.POST, request.FILES)
        if form.is_valid():
            rows = v.bulk_verify(codes=form.codes, base_url=base_url)
            counts = {}
            for r in rows:
                counts[r.status_label] = counts.get(r.status_label, 0) + 1
            return render(
                request,
                "imh_certificates/bulk_results.html",
                {
                    "rows": rows,
                    "counts": sorted(counts.items()),
                    "codes_json": json.dumps([[r.row, r.typed] for r in rows]),
                    "crumbs": _bulk_crumbs(),
                },
            )
        status = 400
    else:
        form = BulkUploadForm()
        status = 200
    return render(
        request,
        "imh_certificates/bulk_verify.html",
        {
            "form": form,
            "max_rows": v.bulk_max_rows(),
            "max_kb": v.bulk_max_bytes() // 1024,
            "crumbs": [(gettext("Home"), "/")],
        },
        status=status,
    )


@login_required
@require_http_methods(["POST"])
def verify_many_download(request: HttpRequest) -> HttpResponse:
    """The results as CSV: the codes come back from the results page and are checked again,
    so the file shows the status at the moment of download and nothing is stored."""
    _require_manager(request)
    retry_after = v.rate_limit_hit(request, scope="bulk")
    if retry_after is not None:
        return _too_many_page(request, retry_after)
    try:
        pairs = json_loads(request.POST.get("codes", ""))
        codes = [(int(row), str(typed)[: v.TYPED_CODE_LIMIT]) for row, typed in pairs]
    except (ValueError, TypeError):
        codes = []
    if not codes or len(codes) > v.bulk_max_rows():
        return redirect("imh_certificates:verify_many")
    rows = v.bulk_verify(codes=codes, base_url=request.build_absolute_uri("/")[:-1])
    return _csv_response(rows)


urlpatterns = [
    path("verify/", verify, name="verify"),
    path("verify/<str:code>/", verify_code, name="verify_code"),
    path("api/v1/certificates/<str:code>/", api_certificate, name="api_certificate"),
    path("certificates/verify-many/", verify_many, name="verify_many"),
    path(
        "certificates/verify-many/download/",
        verify_many_download,
        name="verify_many_download",
    ),
]
