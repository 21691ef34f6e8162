"""A member's record (for managers, and for the member to see what managers see), teams and
sites, and the access log.

Manager pages find the organisation through ``organisation_for_manager`` and every
membership, team or site only within it, so another organisation's id is a 404. Each view of
a member's record by a manager is written to the access log; the member's own views are not.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from imh_compliance.models import AccessEvent
from imh_compliance.records import member_record, own_active_membership, own_active_memberships
from imh_compliance.selectors.access import member_of_organisation, organisation_for_manager
from imh_compliance.selectors.audit import access_events_about, access_events_for
from imh_compliance.selectors.reliability import reliability_table
from imh_compliance.services.audit import access_event_record
from imh_core.forms import add_service_errors
from imh_organisations import services as organisation_services
from imh_organisations.models import Membership, Organisation, Site, Team

ACCESS_LOG_PAGE_SIZE = 50
MY_RECORD_VIEWS_SHOWN = 50


# Forms.


class PlacementForm(forms.Form):
    """The team and site of one member; choices only from the member's organisation."""

    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("No team"),
        error_messages={"invalid_choice": _("Choose a team of this organisation.")},
    )
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(),
        required=False,
        empty_label=_("No site"),
        error_messages={"invalid_choice": _("Choose a site of this organisation.")},
    )

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(organisation=organisation)
        self.fields["site"].queryset = Site.objects.filter(organisation=organisation)


class GroupNameForm(forms.Form):
    name = forms.CharField(
        max_length=120,
        error_messages={
            "required": _("Enter a name."),
            "max_length": _("Enter a name of 120 characters or fewer."),
        },
    )

    def __init__(self, *args, label: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].label = label


class SharingForm(forms.Form):
    shares = forms.TypedChoiceField(
        label=_("Share your competency profile with this organisation's managers?"),
        choices=[("yes", _("Yes, share it")), ("no", _("No, do not share it"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to share your competency profile.")},
    )


class AccessLogFilterForm(forms.Form):
    q = forms.CharField(label=_("Member's name"), required=False, max_length=100)


# Helpers.


def _crumbs(organisation: Organisation, *extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [
        (gettext("Home"), "/"),
        (gettext("Staff compliance"), reverse("imh_compliance:dashboard", args=[organisation.pk])),
        *extra,
    ]


def _member(organisation: Organisation, membership_pk: int) -> Membership:
    membership = member_of_organisation(organisation=organisation, membership_pk=membership_pk)
    membership.organisation = organisation
    return membership


# The member's record, for managers.


@login_required
@require_GET
def member(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    organisation = organisation_for_manager(user=request.user, pk=pk)
    membership = _member(organisation, membership_pk)
    record = member_record(membership=membership)
    access_event_record(
        organisation=organisation,
        viewer=request.user,
        action=AccessEvent.Action.VIEWED_RECORD,
        member=membership.user,
    )
    reliability = reliability_table(user_ids=[membership.user_id])
    return render(
        request,
        "imh_compliance/records/member.html",
        {
            "organisation": organisation,
            "membership": membership,
            "record": record,
            "reliability": reliability.for_user(membership.user_id),
            "crumbs": _crumbs(organisation),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_placement(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    organisation = organisation_for_manager(user=request.user, pk=pk)
    membership = _member(organisation, membership_pk)
    member_url = reverse("imh_compliance:member", args=[organisation.pk, membership.pk])
    if request.method == "POST":
        form = PlacementForm(request.POST, organisation=organisation)
        if form.is_valid():
            try:
                organisation_services.membership_set_placement(
                    membership=membership,
                    actor=request.user,
                    team=form.cleaned_data["team"],
                    site=form.cleaned_data["site"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, gettext("Team and site saved."))
                return redirect(member_url)
    else:
        form = PlacementForm(
            initial={"team": membership.team_id, "site": membership.site_id},
            organisation=organisation,
        )
    return render(
        request,
        "imh_compliance/records/placement.html",
        {
            "organisation": organisation,
            "membership": membership,
            "form": form,
            "member_url": member_url,
            "crumbs": _crumbs(organisation, (gettext("Member's record"), member_url)),
        },
    )


# Teams and sites.

_GROUPS = {"team": (Team, "team"), "site": (Site, "site")}
# Whole sentences per kind, so that translations need not fit "Team"/"Site" into one shape.
_GROUP_NAME_LABELS = {"team": _("Team name"), "site": _("Site name")}
_GROUP_ADDED = {"team": _("Team %(name)s added."), "site": _("Site %(name)s added.")}
_GROUP_DELETED = {
    "team": _("Team %(name)s deleted. Its members now have no team."),
    "site": _("Site %(name)s deleted. Its members now have no site."),
}


def _structure_delete(
    request: HttpRequest, organisation: Organisation, kind: str
) -> HttpResponse | None:
    """Ask to confirm, then delete a team or site (of this organisation only)."""
    model, noun = _GROUPS[kind]
    group = get_object_or_404(
        model.objects.filter(organisation=organisation).annotate(
            member_count=Count(
                "memberships", filter=Q(memberships__status=Membership.Status.ACTIVE)
            )
        ),
        pk=request.POST.get("id") if str(request.POST.get("id", "")).isdigit() else None,
    )
    if request.POST.get("confirm") != "yes":
        return render(
            request,
            "imh_compliance/records/structure_delete.html",
            {
                "organisation": organisation,
                "group": group,
                "kind": kind,
                "noun": noun,
                "crumbs": _crumbs(
                    organisation,
                    (
                        gettext("Teams and sites"),
                        reverse("imh_compliance:structure", args=[organisation.pk]),
                    ),
                ),
            },
        )
    if kind == "team":
        organisation_services.team_delete(team=group, actor=request.user)
    else:
        organisation_services.site_delete(site=group, actor=request.user)
    messages.success(request, str(_GROUP_DELETED[kind]) % {"name": group.name})
    return None


@login_required
@require_http_methods(["GET", "POST"])
def structure(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = organisation_for_manager(user=request.user, pk=pk)
    team_form = GroupNameForm(label=_GROUP_NAME_LABELS["team"], prefix="team")
    site_form = GroupNameForm(label=_GROUP_NAME_LABELS["site"], prefix="site")
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in ("delete_team", "delete_site"):
            response = _structure_delete(request, organisation, action.removeprefix("delete_"))
            if response is not None:
                return response
            return redirect("imh_compliance:structure", pk=organisation.pk)
        if action not in ("add_team", "add_site"):
            messages.error(request, gettext("Choose to add or delete a team or a site."))
            return redirect("imh_compliance:structure", pk=organisation.pk)
        kind = action.removeprefix("add_")
        form = GroupNameForm(request.POST, label=_GROUP_NAME_LABELS[kind], prefix=kind)
        if kind == "team":
            team_form = form
        else:
            site_form = form
        if form.is_valid():
            create = (
                organisation_services.team_create
                if kind == "team"
                else organisation_services.site_create
            )
            try:
                group = create(
                    organisation=organisation, actor=request.user, name=form.cleaned_data["name"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, str(_GROUP_ADDED[kind]) % {"name": group.name})
                return redirect("imh_compliance:structure", pk=organisation.pk)
    active = Q(memberships__status=Membership.Status.ACTIVE)
    return render(
        request,
        "imh_compliance/records/structure.html",
        {
            "organisation": organisation,
            "teams": Team.objects.filter(organisation=organisation).annotate(
                member_count=Count("memberships", filter=active)
            ),
            "sites": Site.objects.filter(organisation=organisation).annotate(
                member_count=Count("memberships", filter=active)
            ),
            "team_form": team_form,
            "site_form": site_form,
            "crumbs": _crumbs(organisation),
        },
    )


# The access log.


@login_required
@require_GET
def access_log(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = organisation_for_manager(user=request.user, pk=pk)
    form = AccessLogFilterForm(request.GET)
    events = access_events_for(organisation=organisation)
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            events = events.filter(member_name__icontains=query)
    page = Paginator(events, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "imh_compliance/records/access_log.html",
        {
            "organisation": organisation,
            "form": form,
            "query": query,
            "page": page,
            "crumbs": _crumbs(organisation),
        },
    )


# The member's own view of their record.


@login_required
@require_GET
def my_records(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "imh_compliance/records/my_records.html",
        {
            "memberships": own_active_memberships(user=request.user),
            "crumbs": [
                (gettext("Home"), "/"),
                (gettext("Your organisations"), reverse("imh_organisations:mine")),
            ],
        },
    )


def _my_record_page(
    request: HttpRequest, membership: Membership, form: SharingForm
) -> HttpResponse:
    viewers = access_events_about(user=request.user).filter(
        organisation_id=membership.organisation_id
    )[:MY_RECORD_VIEWS_SHOWN]
    return render(
        request,
        "imh_compliance/records/my_record.html",
        {
            "organisation": membership.organisation,
            "membership": membership,
            "record": member_record(membership=membership),
            "views": viewers,
            "views_shown": MY_RECORD_VIEWS_SHOWN,
            "sharing_form": form,
            "crumbs": [
                (gettext("Home"), "/"),
                (gettext("Your organisations"), reverse("imh_organisations:mine")),
                (gettext("What your managers can see"), reverse("imh_compliance:my_records")),
            ],
        },
    )


@login_required
@require_GET
def my_record(request: HttpRequest, membership_pk: int) -> HttpResponse:
    membership = own_active_membership(user=request.user, membership_pk=membership_pk)
    form = SharingForm(initial={"shares": "yes" if membership.shares_competency_profile else "no"})
    return _my_record_page(request, membership, form)


@login_required
@require_POST
def my_record_sharing(request: HttpRequest, membership_pk: int) -> HttpResponse:
    membership = own_active_membership(user=request.user, membership_pk=membership_pk)
    form = SharingForm(request.POST)
    if form.is_valid():
        try:
            organisation_services.membership_set_profile_sharing(
                membership=membership, actor=request.user, shares=form.cleaned_data["shares"]
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
        else:
            name = membership.organisation.name
            messages.success(
                request,
                (
                    gettext("The managers of %(name)s can now see your competency profile.")
                    if form.cleaned_data["shares"]
                    else gettext(
                        "The managers of %(name)s can no longer see your competency profile."
                    )
                )
                % {"name": name},
            )
            return redirect("imh_compliance:my_record", membership_pk=membership.pk)
    return _my_record_page(request, membership, form)
