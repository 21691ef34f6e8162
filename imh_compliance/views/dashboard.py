"""The manager's compliance dashboard and its actions: assign a course, send a reminder.

Each view finds the organisation through ``organisation_for_manager`` (404 for anyone who
does not actively manage it) and reads people only within it. Members are chosen on the
dashboard by their user ids; the services check again that every one belongs to the
organisation and change nothing otherwise.
"""

from __future__ import annotations

import datetime
import functools
import gc
from collections import Counter
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from imh_compliance.forms import dashboard_filters
from imh_compliance.selectors.access import organisation_for_manager
from imh_compliance.selectors.columns import Column, columns_for
from imh_compliance.selectors.matrix import (
    Matrix,
    MatrixFilters,
    Row,
    compliance_matrix,
    matrix_rows_detail,
)
from imh_compliance.selectors.reliability import reliability_table
from imh_compliance.selectors.rules import assignable_items
from imh_compliance.services.assignments import assignments_create
from imh_compliance.services.reminders import reminders_send_manual
from imh_compliance.status import OUTSTANDING, Cell
from imh_core.forms import add_service_errors
from imh_organisations.models import Organisation
from imh_organisations.selectors import organisations_managed_by

PER_PAGE = 50
PERSON_SORTS = [("name", _("Name")), ("role", _("Role")), ("team", _("Team")), ("site", _("Site"))]
# The longest selection the action pages read (a page of the dashboard is 50).
MAX_CHOSEN = 500


def _crumbs(organisation: Organisation, *extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [
        (gettext("Home"), "/"),
        (gettext("Your organisations"), reverse("imh_organisations:mine")),
        (organisation.name, reverse("imh_organisations:manage", args=[organisation.pk])),
        *extra,
    ]


def _dashboard_crumbs(organisation: Organisation) -> list[tuple[str, str]]:
    return _crumbs(
        organisation,
        (gettext("Staff compliance"), reverse("imh_compliance:dashboard", args=[organisation.pk])),
    )


# Choosing members.


class MemberIdsField(forms.Field):
    """The chosen members' user ids, carried in hidden inputs named ``member``."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Select at least one member of staff on the dashboard."),
        "invalid": _("Select members of staff from the dashboard."),
    }

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        if isinstance(value, str | int):
            value = [value]
        try:
            ids = [int(item) for item in value]
        except (TypeError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return list(dict.fromkeys(ids))

    def validate(self, value: list[int]) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")


def _chosen_ids(values: list[str]) -> list[int]:
    """Whole-number ids from the query string, in order, without repeats (others ignored)."""
    ids = []
    for value in values:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            continue
    return list(dict.fromkeys(ids))[:MAX_CHOSEN]


def _chosen_matrix(organisation: Organisation, user_ids: list[int]) -> Matrix:
    """The chosen people who are active members of the organisation (others are left out)."""
    return compliance_matrix(
        organisation=organisation, filters=MatrixFilters(member_user_ids=frozenset(user_ids))
    )


# Where to go.


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The organisation's dashboard for a manager of one; a choice for a manager of several."""
    organisations = list(organisations_managed_by(user=request.user))
    if len(organisations) == 1:
        return redirect("imh_compliance:dashboard", pk=organisations[0].pk)
    return render(
        request,
        "imh_compliance/home.html",
        {
            "organisations": organisations,
            "crumbs": [
                (gettext("Home"), "/"),
                (gettext("Your organisations"), reverse("imh_organisations:mine")),
            ],
        },
    )


# The dashboard.


@dataclass
class MatrixOutline:
    """What the dashboard's template needs of the matrix besides the page's rows."""

    columns: list[Column]
    member_count: int
    statuses: list


@dataclass(frozen=True)
class SortLink:
    key: str
    label: str
    url: str
    aria_sort: str  # "ascending", "descending" or "" when not sorted by it
    column: Column | None = None


def _with(query: str, **changes: str) -> str:
    params = QueryDict(query, mutable=True)
    for name, value in changes.items():
        if value:
            params[name] = value
        else:
            params.pop(name, None)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


def _page_url(query: str, number: int) -> str:
    """A page of the matrix with the same filters and sort (page 1 has no number)."""
    return _with(query, page="" if number == 1 else str(number))


def _sort_links(query: str, filters: MatrixFilters, columns: list[Column]) -> list[SortLink]:
    """A link per sortable heading: sorts by it, or reverses the order when already sorted."""
    base = QueryDict(query, mutable=True)
    base.pop("page", None)
    base = base.urlencode()
    headings = [(key, label, None) for key, label in PERSON_SORTS] + [
        (column.key, column.title, column) for column in columns
    ]
    links = []
    for key, label, column in headings:
        current = filters.sort == key
        if current:
            aria_sort = "descending" if filters.descending else "ascending"
            order = "" if filters.descending else "desc"
        else:
            aria_sort, order = "", ""
        links.append(
            SortLink(
                key=key,
                label=label,
                url=_with(base, sort="" if key == "name" else key, order=order),
                aria_sort=aria_sort,
                column=column,
            )
        )
    return links


def _totals(matrix: Matrix) -> list[tuple[Column, list[tuple[str, str, int]]]]:
    """Per column, each status (worst first) with its count over the filtered members."""
    return [
        (
            column,
            [(status.value, status.label, totals.get(status, 0)) for status in matrix.statuses],
        )
        for column, totals in zip(matrix.columns, matrix.totals, strict=True)
    ]


def collector_paused(view):
    """Run ``view`` with Python's cyclic garbage collector paused.

    A dashboard makes tens of thousands of short-lived objects (a row and its cells per
    member). With the collector running, each of its passes during the request walks all of
    them, for tens of milliseconds; paused, they are freed as the view returns (none is in a
    cycle) and the next pass finds little left to walk.
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        collecting = gc.isenabled()
        gc.disable()
        try:
            return view(*args, **kwargs)
        finally:
            if collecting:
                gc.enable()

    return wrapper


@login_required
@require_GET
@collector_paused
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = organisation_for_manager(user=request.user, pk=pk)
    columns = columns_for(organisation=organisation)
    form, filters = dashboard_filters(request.GET, organisation=organisation, columns=columns)
    matrix = compliance_matrix(
        organisation=organisation, filters=filters, columns=columns, detail=False
    )
    # The paginator counts positions, and the page keeps only its own rows: nothing in the
    # template's context holds the whole matrix, so its thousands of rows are freed as soon
    # as this view returns instead of waiting for the garbage collector.
    page = Paginator(range(len(matrix.rows)), PER_PAGE).get_page(request.GET.get("page"))
    page_rows = matrix.rows[page.object_list.start : page.object_list.stop]
    matrix_rows_detail(
        organisation=organisation, columns=matrix.columns, rows=page_rows, today=matrix.today
    )
    # Observation reliability: status only, for the people on this page (two queries).
    reliability = reliability_table(user_ids=[row.user_id for row in page_rows], today=matrix.today)
    query = form.query_string()
    summary = Counter(row.summary for row in matrix.rows)
    headings = _sort_links(query, filters, matrix.columns)
    page_links = [
        (number, _page_url(query, number)) if number != page.paginator.ELLIPSIS else (None, "")
        for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    ]
    return render(
        request,
        "imh_compliance/dashboard.html",
        {
            "organisation": organisation,
            "form": form,
            "matrix": MatrixOutline(
                columns=matrix.columns,
                member_count=matrix.member_count,
                statuses=matrix.statuses,
            ),
            "page": page,
            "rows": [
                (
                    row,
                    zip(matrix.columns, row.cells, strict=True),
                    reliability.for_user(row.user_id),
                )
                for row in page_rows
            ],
            "reliability_tests": reliability.tests,
            "page_links": page_links,
            "previous_url": _page_url(query, page.previous_page_number())
            if page.has_previous()
            else "",
            "next_url": _page_url(query, page.next_page_number()) if page.has_next() else "",
            # Ticking everyone on the page without JavaScript: the same page, all ticked.
            "selecting": request.GET.get("select") == "page",
            "select_page_url": _with(_page_url(query, page.number).lstrip("?"), select="page"),
            "clear_selection_url": _page_url(query, page.number),
            "person_headings": headings[: len(PERSON_SORTS)],
            "column_headings": headings[len(PERSON_SORTS) :],
            "totals": _totals(matrix),
            "shown": len(matrix.rows),
            "compliant": summary["Compliant"],
            "not_compliant": summary["Not compliant"],
            "on_track": summary["On track"],
            "query": query,
            "crumbs": _crumbs(organisation),
        },
    )


# Assigning a course or pathway.


class DateInput(forms.DateInput):
    input_type = "date"


class AssignForm(forms.Form):
    item_key = forms.ChoiceField(
        label=_("Course or pathway"),
        error_messages={
            "required": _("Choose a course or pathway to assign."),
            "invalid_choice": _("Choose a course or pathway from the list."),
        },
    )
    due_on = forms.DateField(
        label=_("Due date"),
        widget=DateInput(),
        help_text=_("The date they must complete it by. It cannot be in the past."),
        error_messages={
            "required": _("Enter the date it is due by."),
            "invalid": _("Enter the due date as a real date, like 27 3 2027."),
        },
    )
    member = MemberIdsField()

    def __init__(self, *args, items: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        courses = [item for item in items if item[0].startswith("course:")]
        pathways = [item for item in items if item[0].startswith("pathway:")]
        self.fields["item_key"].choices = [
            ("", gettext("Choose a course or pathway")),
            *([(gettext("Courses"), courses)] if courses else []),
            *([(gettext("Pathways"), pathways)] if pathways else []),
        ]


def _default_due_on() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=30)


def _assign_message(title: str, outcome) -> str:
    assigned = (
        ngettext(
            "Assigned %(title)s to %(count)s member of staff",
            "Assigned %(title)s to %(count)s members of staff",
            outcome.assigned,
        )
        % {"title": title, "count": outcome.assigned}
        if outcome.assigned
        else ""
    )
    if outcome.updated and assigned:
        return ngettext(
            "%(assigned)s and changed the due date for %(count)s member.",
            "%(assigned)s and changed the due date for %(count)s members.",
            outcome.updated,
        ) % {"assigned": assigned, "count": outcome.updated}
    if outcome.updated:
        return ngettext(
            "Changed the due date for %(count)s member.",
            "Changed the due date for %(count)s members.",
            outcome.updated,
        ) % {"count": outcome.updated}
    if assigned:
        return gettext("%(assigned)s.") % {"assigned": assigned}
    return gettext("Nobody was assigned %(title)s.") % {"title": title}


@login_required
@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = organisation_for_manager(user=request.user, pk=pk)
    items = assignable_items(organisation=organisation)
    if request.method == "POST":
        form = AssignForm(request.POST, items=items)
        if form.is_valid():
            try:
                outcome = assignments_create(
                    organisation=organisation,
                    actor=request.user,
                    user_ids=form.cleaned_data["member"],
                    item_key=form.cleaned_data["item_key"],
                    due_on=form.cleaned_data["due_on"],
                )
            except ValidationError as error:
                add_service_errors(form, error, form_wide={"member"})
            else:
                title = dict(items).get(form.cleaned_data["item_key"], gettext("the course"))
                messages.success(request, _assign_message(title, outcome))
                if outcome.problems:
                    messages.warning(
                        request,
                        gettext("Some enrolments could not be made yet. %(problems)s")
                        % {"problems": "; ".join(outcome.problems)},
                    )
                return redirect("imh_compliance:dashboard", pk=organisation.pk)
        chosen = _chosen_ids(request.POST.getlist("member"))
        status = 400
    else:
        chosen = _chosen_ids(request.GET.getlist("member"))
        form = None
        status = 200
    matrix = _chosen_matrix(organisation, chosen)
    member_ids = [row.user_id for row in matrix.rows]
    if form is None:
        form = AssignForm(initial={"member": member_ids, "due_on": _default_due_on()}, items=items)
    else:
        # Offer the form again with only the organisation's own members.
        form.data = form.data.copy()
        form.data.setlist("member", [str(user_id) for user_id in member_ids])
    return render(
        request,
        "imh_compliance/assign.html",
        {
            "organisation": organisation,
            "form": form,
            "members": matrix.rows,
            "has_items": bool(items),
            "crumbs": _dashboard_crumbs(organisation),
        },
        status=status,
    )


# Reminders.


class RemindForm(forms.Form):
    member = MemberIdsField()


@dataclass
class Outstanding:
    row: Row
    items: list[tuple[Column, Cell]]


def _outstanding(matrix: Matrix) -> list[Outstanding]:
    return [
        Outstanding(
            row=row,
            items=[
                (column, cell)
                for column, cell in zip(matrix.columns, row.cells, strict=True)
                if cell.status in OUTSTANDING
            ],
        )
        for row in matrix.rows
    ]


@login_required
@require_http_methods(["GET", "POST"])
def remind(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = organisation_for_manager(user=request.user, pk=pk)
    if request.method == "POST":
        form = RemindForm(request.POST)
        if form.is_valid():
            try:
                outcome = reminders_send_manual(
                    organisation=organisation,
                    actor=request.user,
                    user_ids=form.cleaned_data["member"],
                )
            except ValidationError as error:
                add_service_errors(form, error, form_wide={"member"})
            else:
                if outcome.sent:
                    messages.success(
                        request,
                        ngettext(
                            "Sent %(count)s reminder.", "Sent %(count)s reminders.", outcome.sent
                        )
                        % {"count": outcome.sent},
                    )
                else:
                    messages.info(request, gettext("No reminders were sent."))
                if outcome.skipped:
                    messages.warning(
                        request,
                        gettext("Not reminded: %(people)s.")
                        % {"people": "; ".join(outcome.skipped)},
                    )
                return redirect("imh_compliance:dashboard", pk=organisation.pk)
        chosen = _chosen_ids(request.POST.getlist("member"))
        status = 400
    else:
        chosen = _chosen_ids(request.GET.getlist("member"))
        form = None
        status = 200
    matrix = _chosen_matrix(organisation, chosen)
    member_ids = [row.user_id for row in matrix.rows]
    if form is None:
        form = RemindForm(initial={"member": member_ids})
    else:
        form.data = form.data.copy()
        form.data.setlist("member", [str(user_id) for user_id in member_ids])
    people = _outstanding(matrix)
    return render(
        request,
        "imh_compliance/remind.html",
        {
            "organisation": organisation,
            "form": form,
            "people": people,
            "to_remind": sum(1 for person in people if person.items),
            "crumbs": _dashboard_crumbs(organisation),
        },
        status=status,
    )
