"""Supervision pages: my supervision, recording and answering sessions, and managers' pages.

Sessions are found only among the ones the person took part in, so anybody else (a manager
too) gets a 404. Managers' pages find the organisation through ``organisation_for_manager``
and show dates, durations, kinds and confirmation only.
"""

from __future__ import annotations

import csv
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from imh_core.forms import add_service_errors
from imh_core.people import person_name
from imh_core.spreadsheets import spreadsheet_safe
from imh_organisations.selectors import organisation_for_manager
from imh_supervision import selectors, services
from imh_supervision.forms import (
    DisputeForm,
    PairForm,
    PeriodForm,
    ReflectionForm,
    SessionDetailsForm,
    SuperviseeSessionForm,
    SupervisorSessionForm,
)
from imh_supervision.models import Participant, SupervisionSession


def _crumbs(*extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [(_("Home"), "/"), (_("My supervision"), reverse("imh_supervision:home")), *extra]


def _year_start(today: datetime.date) -> datetime.date:
    return today.replace(month=1, day=1)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    pairs = list(selectors.pairs_for_user(user=user))
    sessions = list(selectors.sessions_for_participant(user=user))
    for session in sessions:
        session.mine = next(p for p in session.participants.all() if p.user_id == user.pk)
    return render(
        request,
        "imh_supervision/home.html",
        {
            "pairs": pairs,
            "sessions": sessions,
            "awaiting": [s for s in sessions if s.mine.status == Participant.Status.PENDING],
            "hours_year": selectors.hours_received(user=user, since=_year_start(today)),
            "hours_total": selectors.hours_received(user=user),
            "hours_given_year": selectors.hours_given(user=user, since=_year_start(today)),
            "is_supervisor": any(p.supervisor_id == user.pk for p in pairs),
            "year_start": _year_start(today),
            "crumbs": [(_("Home"), "/")],
        },
    )


def _record_form(request: HttpRequest, data=None):
    """The supervisor's form when the person supervises anyone (unless they ask otherwise)."""
    user = request.user
    pairs = list(selectors.pairs_for_user(user=user))
    supervises = [p for p in pairs if p.supervisor_id == user.pk]
    supervised = [p for p in pairs if p.supervisee_id == user.pk]
    as_supervisee = request.GET.get("as") == "supervisee" and supervised
    if supervises and not as_supervisee:
        queryset = selectors.users_in(p.supervisee_id for p in supervises)
        form = SupervisorSessionForm(data, supervisees=queryset)
    elif supervised:
        queryset = selectors.users_in(p.supervisor_id for p in supervised)
        form = SuperviseeSessionForm(data, supervisors=queryset)
    else:
        form = None
    return form, bool(supervises and supervised)


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest) -> HttpResponse:
    form, both = _record_form(request, request.POST if request.method == "POST" else None)
    if form is None:
        messages.info(request, _("You need a supervisor or a supervisee to record a session."))
        return redirect("imh_supervision:home")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if isinstance(form, SupervisorSessionForm):
            people = {
                "supervisor": request.user,
                "supervisees": list(data["supervisees"]),
                "kind": data["kind"],
            }
        else:
            people = {
                "supervisor": data["supervisor"],
                "supervisees": [request.user],
                "kind": SupervisionSession.Kind.ONE_TO_ONE,
            }
        try:
            session = services.session_record(actor=request.user, **people, **form.details())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Session recorded. The other people in it have been asked to confirm it."),
            )
            return redirect("imh_supervision:session_detail", pk=session.pk)
    return render(
        request,
        "imh_supervision/session_form.html",
        {
            "form": form,
            "session": None,
            "both": both,
            "as_supervisee": isinstance(form, SuperviseeSessionForm),
            "crumbs": _crumbs(),
        },
    )


def _detail_context(request: HttpRequest, session: SupervisionSession, **forms) -> dict:
    participants = list(session.participants.all())
    mine = next(p for p in participants if p.user_id == request.user.pk)
    return {
        "session": session,
        "participants": participants,
        "mine": mine,
        "may_delete": request.user.pk in (session.supervisor_id, session.recorded_by_id),
        "dispute_form": forms.get("dispute_form") or DisputeForm(),
        "reflection_form": forms.get("reflection_form")
        or ReflectionForm(initial={"reflection": mine.reflection}),
        "crumbs": _crumbs(),
    }


@login_required
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for_participant(user=request.user, pk=pk)
    return render(request, "imh_supervision/session_detail.html", _detail_context(request, session))


@login_required
@require_POST
def session_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for_participant(user=request.user, pk=pk)
    services.session_confirm(session=session, actor=request.user)
    session.refresh_from_db()
    if session.is_confirmed:
        messages.success(request, _("Confirmed. Everyone has now confirmed this session."))
    else:
        messages.success(request, _("Confirmed. It counts once everyone has confirmed it."))
    return redirect("imh_supervision:session_detail", pk=pk)


@login_required
@require_POST
def session_dispute(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for_participant(user=request.user, pk=pk)
    form = DisputeForm(request.POST)
    if form.is_valid():
        try:
            services.session_dispute(
                session=session, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("You said this record is wrong. It will not count until it is changed.")
            )
            return redirect("imh_supervision:session_detail", pk=pk)
    return render(
        request,
        "imh_supervision/session_detail.html",
        _detail_context(request, session, dispute_form=form),
        status=400,
    )


@login_required
@require_POST
def session_reflection(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for_participant(user=request.user, pk=pk)
    form = ReflectionForm(request.POST)
    if form.is_valid():
        services.reflection_save(
            session=session, actor=request.user, reflection=form.cleaned_data["reflection"]
        )
        messages.success(request, _("Your reflection has been saved."))
        return redirect("imh_supervision:session_detail", pk=pk)
    return render(
        request,
        "imh_supervision/session_detail.html",
        _detail_context(request, session, reflection_form=form),
        status=400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for_participant(user=request.user, pk=pk)
    if request.method == "POST":
        form = SessionDetailsForm(request.POST)
        if form.is_valid():
            try:
                services.session_update(session=session, actor=request.user, **form.details())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Changes saved. The other people in the session must confirm it again."),
                )
                return redirect("imh_supervision:session_detail", pk=pk)
    else:
        form = SessionDetailsForm(initial=SessionDetailsForm.initial_for(session))
    return render(
        request,
        "imh_supervision/session_form.html",
        {
            "form": form,
            "session": session,
            "crumbs": _crumbs((str(session), reverse("imh_supervision:session_detail", args=[pk]))),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_delete(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for_participant(user=request.user, pk=pk)
    if request.method == "POST":
        services.session_delete(session=session, actor=request.user)
        messages.success(request, _("The session has been deleted."))
        return redirect("imh_supervision:home")
    return render(
        request,
        "imh_supervision/session_delete.html",
        {
            "session": session,
            "crumbs": _crumbs((str(session), reverse("imh_supervision:session_detail", args=[pk]))),
        },
    )


# Managers.


def _manage_crumbs(organisation) -> list[tuple[str, str]]:
    return [
        (_("Home"), "/"),
        (_("Your organisations"), reverse("imh_organisations:mine")),
        (organisation.name, reverse("imh_organisations:manage", args=[organisation.pk])),
    ]


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    """Pairs and hours for an organisation's staff: dates, durations and confirmation only."""
    organisation = organisation_for_manager(user=request.user, pk=pk)
    supervisors = selectors.supervisor_choices(organisation=organisation)
    members = selectors.member_choices(organisation=organisation)
    pair_form = PairForm(
        request.POST if request.method == "POST" else None,
        supervisors=supervisors,
        members=members,
        initial={"starts_on": timezone.localdate()},
    )
    if request.method == "POST" and pair_form.is_valid():
        try:
            services.pair_create(
                organisation=organisation, actor=request.user, **pair_form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(pair_form, error)
        else:
            messages.success(request, _("Supervision pair added."))
            return redirect("imh_supervision:manage", pk=pk)
    period = PeriodForm(request.GET or None)
    since = until = None
    if period.is_bound and period.is_valid():
        since, until = period.cleaned_data["since"], period.cleaned_data["until"]
    return render(
        request,
        "imh_supervision/manage.html",
        {
            "organisation": organisation,
            "pairs": selectors.pairs_of_organisation(organisation=organisation),
            "pair_form": pair_form,
            "period_form": period,
            "staff": selectors.manager_overview(
                organisation=organisation, since=since, until=until
            ),
            "csv_query": request.GET.urlencode(),
            "crumbs": _manage_crumbs(organisation),
        },
        status=400 if pair_form.errors else 200,
    )


@login_required
@require_POST
def pair_end(request: HttpRequest, pk: int, pair_pk: int) -> HttpResponse:
    organisation = organisation_for_manager(user=request.user, pk=pk)
    pair = selectors.pair_of_organisation(organisation=organisation, pk=pair_pk)
    services.pair_end(pair=pair, actor=request.user)
    messages.success(request, _("The pair has ended. Their sessions and hours are kept."))
    return redirect("imh_supervision:manage", pk=pk)


@login_required
@require_GET
def manage_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Sessions received by the organisation's staff over a period: no reflective content."""
    organisation = organisation_for_manager(user=request.user, pk=pk)
    period = PeriodForm(request.GET or None)
    since = until = None
    if period.is_bound and period.is_valid():
        since, until = period.cleaned_data["since"], period.cleaned_data["until"]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="supervision-hours-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow([_("Person"), _("Date"), _("Kind"), _("Minutes"), _("Hours"), _("Confirmed")])
    for row in selectors.manager_overview(organisation=organisation, since=since, until=until):
        for session in row.sessions:
            writer.writerow(
                [
                    spreadsheet_safe(value)
                    for value in (
                        person_name(row.person),
                        session["held_on"].isoformat(),
                        session["kind"].label,
                        session["duration_minutes"],
                        session["hours"],
                        _("Yes") if session["confirmed"] else _("No"),
                    )
                ]
            )
    return response
