"""The public register, verification by code (page and JSON API) and the person's own
recognition page (consent to be listed, renewal).

The register and verification need no account. Verification works like certificate
verification: a GET form, the code page (rate limited per client address, never cached or
indexed) and a read-only JSON API open to any site (CORS).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from imh_certificates.models import code_normalise
from imh_core.public_api import no_index, public_lookup
from imh_recognition import register as r
from imh_recognition import renewal
from imh_recognition.models import Recognition, Scheme

# Forms ------------------------------------------------------------------------------------


class RegisterSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name"),
        help_text=_("All or part of the practitioner's name."),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    scheme = forms.ModelChoiceField(
        label=_("Level"),
        queryset=Scheme.objects.none(),
        required=False,
        empty_label=_("Any level"),
    )
    area = forms.ChoiceField(label=_("Area of practice"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = r.register_schemes()
        self.fields["scheme"].label_from_instance = lambda scheme: (
            f"{scheme.title} ({scheme.framework.level_label(scheme.level)})"
        )
        self.fields["area"].choices = [("", _("Any area of practice")), *r.area_choices()]
        self.fields["region"].choices = [("", _("Anywhere in the UK")), *r.region_choices()]


class VerifyCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Recognition code"),
        help_text=format_lazy(
            _(
                "The practitioner can give you this code, in the format {code_format}"
                " (20 letters and numbers). Capitals, spaces and dashes do not matter."
            ),
            code_format=r.CODE_FORMAT_HINT,
        ),
        max_length=200,
        error_messages={
            "required": _("Enter the recognition code"),
            "max_length": _("Enter the recognition code exactly as it was given to you"),
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
                    "Enter the recognition code exactly as it was given to you, in the format "
                    "%(code_format)s"
                )
                % {"code_format": r.CODE_FORMAT_HINT}
            )
        return canonical


class ListingForm(forms.Form):
    public = forms.TypedChoiceField(
        label=_("Show me on the public register"),
        choices=[("yes", _("Yes, list me")), ("no", _("No, do not list me"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Select yes if you want to be on the public register")},
    )
    display_name = forms.CharField(
        label=_("Your name on the register"),
        help_text=_("As employers and families would know you, for example “Dr Priya Shah”."),
        max_length=200,
        error_messages={"required": _("Enter your name as it should appear on the register")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


# Helpers ----------------------------------------------------------------------------------


def _crumbs(*extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [(gettext("Home"), "/"), *extra]


def _verify_crumbs() -> list[tuple[str, str]]:
    return _crumbs((gettext("Check a recognition"), reverse("imh_recognition:verify")))


def _too_many_page(request: HttpRequest, retry_after: int) -> HttpResponse:
    response = render(
        request,
        "imh_recognition/register/verify_rate_limited.html",
        {"retry_after": retry_after, "crumbs": _crumbs()},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return no_index(response)


def _page_links(request: HttpRequest, page) -> dict:
    params = request.GET.copy()
    params.pop("page", None)

    def url(number: int) -> str:
        return "?" + urlencode({**params.dict(), "page": number})

    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    return {
        "page_links": [(n, url(n)) if isinstance(n, int) else (None, None) for n in numbers],
        "previous_url": url(page.previous_page_number()) if page.has_previous() else "",
        "next_url": url(page.next_page_number()) if page.has_next() else "",
    }


# The public register ------------------------------------------------------------------------


@require_safe
def register_index(request: HttpRequest) -> HttpResponse:
    form = RegisterSearchForm(request.GET or None)
    filters = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "query": data["q"].strip(),
            "scheme": data["scheme"],
            "area_of_practice": data["area"],
            "region": data["region"],
        }
    entries = r.register_search(**filters)
    page = Paginator(entries, r.REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    response = render(
        request,
        "imh_recognition/register/register.html",
        {
            "form": form if form.is_bound else RegisterSearchForm(),
            "page": page,
            "searched": any(filters.values()),
            "crumbs": _crumbs(),
            **_page_links(request, page),
        },
    )
    response["Cache-Control"] = "no-cache"
    return response


# Verification -------------------------------------------------------------------------------


@require_safe
def verify(request: HttpRequest) -> HttpResponse:
    """The lookup: a GET form, so its result can be bookmarked."""
    form = VerifyCodeForm(request.GET) if "code" in request.GET else VerifyCodeForm()
    if form.is_bound and form.is_valid():
        return redirect("imh_recognition:verify_code", code=form.cleaned_data["code"])
    response = render(
        request,
        "imh_recognition/register/verify.html",
        {"form": form, "crumbs": _crumbs()},
    )
    return no_index(response)


@require_safe
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    retry_after = r.rate_limit_hit(request, scope="page")
    if retry_after is not None:
        return _too_many_page(request, retry_after)
    canonical = code_normalise(code)
    if canonical is not None and canonical != code:
        return redirect("imh_recognition:verify_code", code=canonical)
    recognition = r.recognition_public_lookup(code=code)
    if recognition is None:
        response = render(
            request,
            "imh_recognition/register/verify_not_found.html",
            {
                "form": VerifyCodeForm(),
                "message": r.NOT_FOUND_MESSAGE,
                "code_format": r.CODE_FORMAT_HINT,
                "crumbs": _verify_crumbs(),
            },
            status=404,
        )
        return no_index(response)
    public = r.recognition_public(recognition, base_url=request.build_absolute_uri("/")[:-1])
    response = render(
        request,
        "imh_recognition/register/verify_result.html",
        {"rec": public, "crumbs": _verify_crumbs()},
    )
    return no_index(response)


@csrf_exempt  # it never changes anything; other methods must get 405, not a CSRF 403
def api_recognition(request: HttpRequest, code: str) -> HttpResponse:
    def lookup() -> dict | None:
        recognition = r.recognition_public_lookup(code=code)
        if recognition is None:
            return None
        base_url = request.build_absolute_uri("/")[:-1]
        return r.recognition_public_json(r.recognition_public(recognition, base_url=base_url))

    return public_lookup(
        request,
        noun="recognitions",
        rate_limit_hit=lambda request: r.rate_limit_hit(request, scope="api"),
        lookup=lookup,
        not_found_message=str(r.NOT_FOUND_MESSAGE),
    )


# The person's own recognition ----------------------------------------------------------------


def _own(request: HttpRequest, pk: int) -> Recognition:
    try:
        return renewal.recognition_for_person(person=request.user, pk=pk)
    except Recognition.DoesNotExist:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def recognition_mine(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's recognition: status, code, consent to be listed, renewal."""
    recognition = _own(request, pk)
    initial = {
        "public": "yes" if recognition.public else "no",
        "display_name": recognition.display_name,
    }
    form = ListingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            recognition = renewal.recognition_set_public(
                person=request.user,
                recognition=recognition,
                public=form.cleaned_data["public"],
                display_name=form.cleaned_data["display_name"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if recognition.public:
                messages.success(request, gettext("You are listed on the public register."))
            else:
                messages.success(
                    request,
                    gettext("You are not listed on the public register."),
                )
            return redirect("imh_recognition:recognition_mine", pk=recognition.pk)
    today = timezone.localdate()
    status = r.recognition_effective_status(recognition, today=today)
    return render(
        request,
        "imh_recognition/register/mine.html",
        {
            "recognition": recognition,
            "status": status,
            "status_label": r.STATUS_LABELS[status],
            "level_label": recognition.scheme.framework.level_label(recognition.level),
            "listed": r.recognition_is_listed(recognition, today=today),
            "form": form,
            "can_renew": renewal.recognition_can_renew(recognition, today=today),
            "renewal_opens_on": renewal.renewal_opens_on(recognition),
            "renewal_application": renewal.renewal_open_application(recognition),
            "crumbs": _crumbs(
                (gettext("Recognition"), reverse("imh_recognition:overview")),
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def recognition_renew(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a renewal application (or go back to the one already started)."""
    recognition = _own(request, pk)
    try:
        application = renewal.recognition_renewal_start(
            person=request.user, recognition=recognition
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("imh_recognition:recognition_mine", pk=recognition.pk)
    return redirect(_application_url(application))


def _application_url(application) -> str:
    return reverse("imh_recognition:application", args=[application.pk])


# Under /recognition/ (the app's namespace).
urlpatterns = [
    path("register/", register_index, name="register"),
    path("verify/", verify, name="verify"),
    path("verify/<str:code>/", verify_code, name="verify_code"),
    path("recognitions/<int:pk>/", recognition_mine, name="recognition_mine"),
    path("recognitions/<int:pk>/renew/", recognition_renew, name="recognition_renew"),
]

# At the site root, beside the certificate API: see imh_recognition.urls_api.
api_urlpatterns = [
    path("api/v1/recognitions/<str:code>/", api_recognition, name="api_recognition"),
]
