"""Account pages: home, profile, data download, deletion and the privacy notice.

Each view parses the request, calls one service or selector and renders; see services.py for
what deleting an account does.

It also has the pages that stand in for Wagtail's and Django's own login and password reset
pages. Those log in anyone with the right password, however many wrong ones came first and
whether or not their email address was ever confirmed; allauth checks both. The site mounts
these views at Wagtail's addresses, before Wagtail's URLs, so every way in is allauth's.
"""

from __future__ import annotations

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages.storage.base import Message
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import strip_tags
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from imh_accounts import selectors, services
from imh_accounts.forms import AccountDeleteForm, ProfileForm
from imh_core.hooks import page_links

SESSION_JUST_DELETED = "accounts_just_deleted"
MESSAGE_TOO_MANY_ATTEMPTS = gettext_lazy(
    "You have tried too many times. Wait a minute and try again"
)
MESSAGE_OLD_RESET_LINK = gettext_lazy(
    "That password reset link no longer works. Enter your email address to get a new one"
)
# Wagtail's own words when it turns someone away from the admin; the page below says it instead.
WAGTAIL_NO_ADMIN_ACCESS = "You do not have permission to access the admin."


def _home_crumbs() -> list[tuple[str, str]]:
    return [(gettext("Home"), "/")]


def _account_crumbs() -> list[tuple[str, str]]:
    return [*_home_crumbs(), (gettext("Your account"), reverse("imh_accounts:dashboard"))]


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    profile = services.profile_get_or_create(user=request.user)
    return render(
        request,
        "imh_accounts/dashboard.html",
        {
            "profile": profile,
            # Higher apps' pages (organisations) that this one may not name.
            "page_links": page_links("accounts:dashboard", request),
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
                messages.success(request, gettext("Your profile has been saved"))
                return redirect("imh_accounts:dashboard")
    else:
        form = ProfileForm(instance=instance)
    return render(
        request,
        "imh_accounts/profile.html",
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
    return render(request, "imh_accounts/data_export.html", {"crumbs": _account_crumbs()})


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
                return redirect("imh_accounts:delete_done")
    return render(request, "imh_accounts/delete.html", {"form": form, "crumbs": _account_crumbs()})


@require_GET
def delete_done(request: HttpRequest) -> HttpResponse:
    # Only straight after a deletion; anyone else who lands here goes home.
    if not request.session.pop(SESSION_JUST_DELETED, False):
        return redirect("/")
    return render(request, "imh_accounts/delete_done.html", {"crumbs": _home_crumbs()})


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "imh_accounts/privacy.html", {"crumbs": _home_crumbs()})


# Stand-ins for Wagtail's and Django's login and password reset pages.


def _safe_next(request: HttpRequest, *, default: str) -> str:
    """The page to go on to: ``next`` when it is on this site, else ``default``."""
    candidate = request.GET.get(REDIRECT_FIELD_NAME, "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _messages_without(request: HttpRequest, text: str) -> list[Message]:
    """The messages to show on this page, less one that the page itself says.

    Wagtail's admin stores its messages as HTML, so they are compared as text.
    """
    return [
        message
        for message in messages.get_messages(request)
        if strip_tags(str(message)).strip() != text
    ]


def admin_login(request: HttpRequest) -> HttpResponse:
    """Wagtail's admin login: people log in on the site's login page, then come back.

    Someone logged in without admin access gets a page that says so. Sending them to the login
    page instead would send them straight back to the admin, which sends them here again.
    """
    next_url = _safe_next(request, default=reverse("wagtailadmin_home"))
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(next_url)
    if user.has_perm("wagtailadmin.access_admin"):
        return redirect(next_url)
    context = {
        "crumbs": _home_crumbs(),
        "messages": _messages_without(request, gettext(WAGTAIL_NO_ADMIN_ACCESS)),
    }
    return render(request, "imh_accounts/admin_no_access.html", context, status=403)


def site_login(request: HttpRequest) -> HttpResponse:
    """Wagtail's login for private pages: the site's login page instead.

    Wagtail also sends logged-in people here when a page is only for groups they are not in;
    they are told they cannot see it rather than asked to log in again.
    """
    if request.user.is_authenticated:
        raise PermissionDenied
    return redirect_to_login(_safe_next(request, default=resolve_url(settings.LOGIN_REDIRECT_URL)))


def admin_password_reset(request: HttpRequest, confirm: bool = False) -> HttpResponse:
    """Wagtail's admin password reset pages: the site's, which limits how often it is used.

    Links already sent by Wagtail's reset form stop working; the person asks for a new one.
    """
    if confirm:
        messages.info(request, MESSAGE_OLD_RESET_LINK)
    return redirect("account_reset_password")
