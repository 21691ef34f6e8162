"""Account pages: home, profile, data download, deletion and the privacy notice.

Each view parses the request, calls one service or selector and renders; see services.py for
what deleting an account does.
"""

from __future__ import annotations

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_http_methods

from accounts import selectors, services
from accounts.forms import AccountDeleteForm, ProfileForm

SESSION_JUST_DELETED = "accounts_just_deleted"
MESSAGE_TOO_MANY_ATTEMPTS = "You have tried too many times. Wait a minute and try again"


def _home_crumbs() -> list[tuple[str, str]]:
    return [("Home", "/")]


def _account_crumbs() -> list[tuple[str, str]]:
    return [*_home_crumbs(), ("Your account", reverse("accounts:dashboard"))]


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    profile = services.profile_get_or_create(user=request.user)
    return render(
        request,
        "accounts/dashboard.html",
        {
            "profile": profile,
            "organisations_url": selectors.optional_url("organisations:mine"),
            "crumbs": _home_crumbs(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    instance = services.profile_get_or_create(user=request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=instance)
        if form.is_valid():
            try:
                services.profile_update(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Your profile has been saved")
                return redirect("accounts:dashboard")
    else:
        form = ProfileForm(instance=instance)
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "profile": instance, "crumbs": _account_crumbs()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def data_export(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        data = selectors.user_personal_data(user=request.user)
        filename = f"imh-data-{timezone.localdate().isoformat()}.json"
        response = JsonResponse(data, encoder=DjangoJSONEncoder, json_dumps_params={"indent": 2})
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        add_never_cache_headers(response)
        return response
    return render(request, "accounts/data_export.html", {"crumbs": _account_crumbs()})


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        # Shares allauth's "reauthenticate" limit, so the password cannot be guessed here.
        if not ratelimit.consume(request, action="reauthenticate", user=request.user):
            form.add_error("password", MESSAGE_TOO_MANY_ATTEMPTS)
        else:
            try:
                services.account_delete(user=request.user, password=form.cleaned_data["password"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                logout(request)
                request.session[SESSION_JUST_DELETED] = True
                return redirect("accounts:delete_done")
    return render(request, "accounts/delete.html", {"form": form, "crumbs": _account_crumbs()})


@require_GET
def delete_done(request: HttpRequest) -> HttpResponse:
    # Only straight after a deletion; anyone else who lands here goes home.
    if not request.session.pop(SESSION_JUST_DELETED, False):
        return redirect("/")
    return render(request, "accounts/delete_done.html", {"crumbs": _home_crumbs()})


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/privacy.html", {"crumbs": _home_crumbs()})
