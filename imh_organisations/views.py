"""Pages for members and managers. Each parses the request and calls one service.

Manager pages find the organisation only through ``organisation_for_manager`` and every
membership or invitation only within that organisation, so an id that belongs elsewhere is a
404 and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from imh_core.forms import add_service_errors
from imh_core.hooks import page_links
from imh_core.people import person_name
from imh_core.ratelimit import rate_limit_consume
from imh_organisations import selectors, services
from imh_organisations.forms import (
    InvitationForm,
    JoinCodeForm,
    MembershipRoleForm,
)
from imh_organisations.models import Membership, Organisation


def _crumbs(*extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [(_("Home"), "/"), (_("Your organisations"), reverse("imh_organisations:mine")), *extra]


def _manage_crumbs(organisation: Organisation) -> list[tuple[str, str]]:
    return _crumbs((organisation.name, reverse("imh_organisations:manage", args=[organisation.pk])))


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _run_action(request: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    """Call a service; report its outcome as a message. True when it succeeded."""
    try:
        action()
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return False
    messages.success(request, success)
    return True


# People's own memberships.


# Join codes are short enough to type, so guessing them is slowed down per person.
JOIN_ATTEMPTS_PER_WINDOW = 10
JOIN_ATTEMPT_RATE = f"{JOIN_ATTEMPTS_PER_WINDOW}/15m/user"


def join_attempt_allowed(request: HttpRequest) -> bool:
    """Count one join-code attempt; False once the person has made too many recently."""
    return rate_limit_consume(request, action="organisation_join", rate=JOIN_ATTEMPT_RATE) is None


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    memberships = list(selectors.memberships_for_user(user=request.user))
    active = [m for m in memberships if m.status == Membership.Status.ACTIVE]
    # What higher apps link to for each membership (compliance: what managers can see).
    for membership in active:
        membership.page_links = page_links(
            "organisations:membership", request, membership=membership
        )
    return render(
        request,
        "imh_organisations/mine.html",
        {
            "active_memberships": active,
            "pending_memberships": [
                m for m in memberships if m.status == Membership.Status.PENDING
            ],
            "crumbs": [(_("Home"), "/")],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = JoinCodeForm(request.POST)
        if not join_attempt_allowed(request):
            form.is_valid()
            form.add_error(
                "code",
                _(
                    "You have tried too many join codes. Wait 15 minutes, then try again, or ask "
                    "your manager for an invitation."
                ),
            )
            status = 429
        elif form.is_valid():
            try:
                membership = services.membership_request_by_code(
                    user=request.user, code=form.cleaned_data["code"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "You have asked to join %(organisation)s. We will email you when a "
                        "manager has looked at your request."
                    )
                    % {"organisation": membership.organisation.name},
                )
                return redirect("imh_organisations:mine")
    else:
        # Links on posters and emails can carry the code: /organisations/join/?code=ABCD-2345
        form = JoinCodeForm(initial={"code": request.GET.get("code", "")[:32]})
    return render(
        request, "imh_organisations/join.html", {"form": form, "crumbs": _crumbs()}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    membership = selectors.membership_for_user(user=request.user, pk=pk)
    organisation = membership.organisation
    error = None
    if request.method == "POST":
        was_pending = membership.status == Membership.Status.PENDING
        try:
            services.membership_leave(membership=membership, actor=request.user)
        except ValidationError as exc:
            error = _error_text(exc)
        else:
            messages.success(
                request,
                (
                    _("You have withdrawn your request to join %(organisation)s.")
                    if was_pending
                    else _("You have left %(organisation)s.")
                )
                % {"organisation": organisation.name},
            )
            return redirect("imh_organisations:mine")
    return render(
        request,
        "imh_organisations/leave_confirm.html",
        {
            "membership": membership,
            "organisation": organisation,
            "error": error,
            "crumbs": _crumbs(),
        },
    )


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_by_token(token=token)
    problem = selectors.invitation_problem(invitation=invitation)
    if problem is not None:
        code, message = problem
        return render(
            request,
            "imh_organisations/invitation_unusable.html",
            {"invitation": invitation, "problem": code, "message": message},
            status=404 if code == "unknown" else 410,
        )
    assert invitation is not None  # invitation_problem reports a missing invitation

    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))
        return render(
            request,
            "imh_organisations/invitation_accept.html",
            {
                "invitation": invitation,
                "organisation": invitation.organisation,
                "login_url": resolve_url(settings.LOGIN_URL),
            },
        )

    error = None
    if request.method == "POST":
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except ValidationError as exc:
            error = _error_text(exc)
        else:
            messages.success(
                request,
                _("You have joined %(organisation)s.")
                % {"organisation": membership.organisation.name},
            )
            return redirect("imh_organisations:mine")
    return render(
        request,
        "imh_organisations/invitation_accept.html",
        {
            "invitation": invitation,
            "organisation": invitation.organisation,
            "error": error,
            "email_matches": selectors.user_has_verified_email(
                user=request.user, email=invitation.email
            ),
        },
    )


# Managers.


@login_required
@require_GET
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_for_manager(user=request.user, pk=pk)
    return render(
        request,
        "imh_organisations/manage/members.html",
        {
            "organisation": organisation,
            "members": selectors.members_of(organisation=organisation),
            "pending": selectors.pending_requests(organisation=organisation),
            "invitations": selectors.invitations_open_for(organisation=organisation),
            "session_bookings": selectors.session_bookings_awaiting(
                organisation=organisation, manager=request.user
            ),
            "page_links": page_links("organisations:manage", request, organisation=organisation),
            "crumbs": _crumbs(),
        },
    )


@login_required
@require_POST
def membership_approve(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    organisation = selectors.organisation_for_manager(user=request.user, pk=pk)
    membership = selectors.membership_of_organisation(organisation=organisation, pk=membership_pk)
    name = person_name(membership.user)
    _run_action(
        request,
        lambda: services.membership_approve(membership=membership, actor=request.user),
        _("%(name)s is now a member of %(organisation)s.")
        % {"name": name, "organisation": organisation.name},
    )
    return redirect("imh_organisations:manage", pk=organisation.pk)


@login_required
@require_POST
def membership_decline(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    organisation = selectors.organisation_for_manager(user=request.user, pk=pk)
    membership = selectors.membership_of_organisation(organisation=organisation, pk=membership_pk)
    name = person_name(membership.user)
    _run_action(
        request,
        lambda: services.membership_decline(membership=membership, actor=request.user),
        _("You have declined %(name)s's request to join.") % {"name": name},
    )
    return redirect("imh_organisations:manage", pk=organisation.pk)


@login_required
@require_http_methods(["GET", "POST"])
def membership_role(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    organisation = selectors.organisation_for_manager(user=request.user, pk=pk)
    membership = selectors.membership_of_organisation(organisation=organisation, pk=membership_pk)
    name = person_name(membership.user)
    if request.method == "POST":
        form = MembershipRoleForm(request.POST)
        if form.is_valid():
            try:
                updated = services.membership_set_role(
                    membership=membership, role=form.cleaned_data["role"], actor=request.user
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s is now %(role)s.")
                    % {"name": name, "role": Membership.Role(updated.role).phrase},
                )
                return redirect("imh_organisations:manage", pk=organisation.pk)
    else:
        form = MembershipRoleForm(initial={"role": membership.role})
    return render(
        request,
        "imh_organisations/manage/role.html",
        {
            "organisation": organisation,
            "membership": membership,
            "form": form,
            "crumbs": _manage_crumbs(organisation),
        },
    )


@login_required
@require_POST
def membership_supervisor(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    organisation = selectors.organisation_for_manager(user=request.user, pk=pk)
    membership = selectors.membership_of_organisation(organisation=organisation, pk=membership_pk)
    name = person_name(membership.user)
    is_supervisor = request.POST.get("is_supervisor") == "1"
    _run_action(
        request,
        lambda: services.membership_set_supervisor(
            membership=membership, is_supervisor=is_supervisor, actor=request.user
        ),
        (
            _("%(name)s is now a supervisor and can record observations of practice.")
            if is_supervisor
            else _("%(name)s is no longer a supervisor.")
        )
        % {"name": name},
    )
    return redirect("imh_organisations:manage", pk=organisation.pk)


@login_required
@require_http_methods(["GET", "POST"])
def membership_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    organisation = selectors.organisation_for_manager(user=request.user, pk=pk)
    membership = selectors.membership_of_organisation(organisation=organisation, pk=membership_pk)
    name = person_name(membership.user)
    error = None
    if request.method == "POST":
        try:
            services.membership_leave(membership=membership, actor=request.user)
        except ValidationError as exc:
            error = _error_text(exc)
        else:
            messages.success(
                request,
                _("%(name)s has been removed from %(organisation)s.")
                % {"name": name, "organisation": organisation.name},
            )
            return redirect("imh_organisations:manage", pk=organisation.pk)
    return render(
        request,
        "imh_organisations/manage/remove_confirm.html",
        {
            "organisation": organisation,
            "membership": membership,
            "error": error,
            "crumbs": _manage_crumbs(organisation),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_for_manager(user=request.user, pk=pk)
    if request.method == "POST":
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                invitation = services.invitation_create(
                    organisation=organisation,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    actor=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("We have sent an invitation to %(email)s.") % {"email": invitation.email},
                )
                return redirect("imh_organisations:manage", pk=organisation.pk)
    else:
        form = InvitationForm()
    return render(
        request,
        "imh_organisations/manage/invite.html",
        {"organisation": organisation, "form": form, "crumbs": _manage_crumbs(organisation)},
    )


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    organisation = selectors.organisation_for_manager(user=request.user, pk=pk)
    invitation = selectors.invitation_of_organisation(organisation=organisation, pk=invitation_pk)
    _run_action(
        request,
        lambda: services.invitation_revoke(invitation=invitation, actor=request.user),
        _("You have withdrawn the invitation to %(email)s.") % {"email": invitation.email},
    )
    return redirect("imh_organisations:manage", pk=organisation.pk)


@login_required
@require_GET
def join_code(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_for_manager(user=request.user, pk=pk)
    return render(
        request,
        "imh_organisations/manage/join_code.html",
        {
            "organisation": organisation,
            "join_url": request.build_absolute_uri(reverse("imh_organisations:join"))
            + f"?code={organisation.join_code_display}",
            "crumbs": _manage_crumbs(organisation),
        },
    )


@login_required
@require_POST
def join_code_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_for_manager(user=request.user, pk=pk)
    _run_action(
        request,
        lambda: services.organisation_join_code_regenerate(
            organisation=organisation, actor=request.user
        ),
        _("You have made a new join code. The old code no longer works."),
    )
    return redirect("imh_organisations:join_code", pk=organisation.pk)


# Live-session bookings waiting for a manager's approval.


def _session_bookings_url(organisation: Organisation) -> str:
    return reverse("imh_organisations:manage", args=[organisation.pk]) + "#session-bookings"


@login_required
@require_POST
def session_booking_approve(request: HttpRequest, pk: int, booking_pk: int) -> HttpResponse:
    organisation = selectors.organisation_for_manager(user=request.user, pk=pk)
    booking = selectors.session_booking_awaiting_for_manager(
        organisation=organisation, manager=request.user, pk=booking_pk
    )
    name = person_name(booking.user)
    _run_action(
        request,
        lambda: services.session_booking_approve(booking=booking, actor=request.user),
        _("You have approved %(name)s's place at %(session)s.")
        % {"name": name, "session": booking.session.title},
    )
    return redirect(_session_bookings_url(organisation))


@login_required
@require_POST
def session_booking_decline(request: HttpRequest, pk: int, booking_pk: int) -> HttpResponse:
    organisation = selectors.organisation_for_manager(user=request.user, pk=pk)
    booking = selectors.session_booking_awaiting_for_manager(
        organisation=organisation, manager=request.user, pk=booking_pk
    )
    name = person_name(booking.user)
    _run_action(
        request,
        lambda: services.session_booking_decline(booking=booking, actor=request.user),
        _("You have declined %(name)s's booking for %(session)s.")
        % {"name": name, "session": booking.session.title},
    )
    return redirect(_session_bookings_url(organisation))
