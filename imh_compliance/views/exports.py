"""Exports of the compliance matrix (CSV, XLSX) and PDF reports for inspections.

The filters are read from the query string exactly as the dashboard reads them, so a download
link carries the dashboard's current view. Unlike the dashboard, an export with a filter it
cannot use is refused (400, with the problems listed): a file is taken away and shown to
others, and quietly widening it to more people than the manager asked for would be worse
than not making it. Every CSV, XLSX or PDF download is written to the access log.
"""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from imh_compliance import exports
from imh_compliance.forms import DashboardFilterForm, dashboard_filters
from imh_compliance.models import AccessEvent, Report
from imh_compliance.selectors.access import organisation_for_manager
from imh_compliance.selectors.columns import columns_for
from imh_compliance.selectors.matrix import MatrixFilters, compliance_matrix
from imh_compliance.selectors.reliability import reliability_table
from imh_compliance.services.audit import access_event_record
from imh_compliance.services.reports import report_request, report_retention_days
from imh_core.people import person_name
from imh_organisations.models import Organisation, Site, Team

REPORTS_SHOWN = 50


def _crumbs(organisation: Organisation, *extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [
        (_("Home"), "/"),
        (_("Staff compliance"), reverse("imh_compliance:home")),
        (organisation.name, reverse("imh_compliance:dashboard", args=[organisation.pk])),
        *extra,
    ]


def _filters(
    query: QueryDict, *, organisation: Organisation, columns, members: bool
) -> tuple[DashboardFilterForm, MatrixFilters, list[str]]:
    """The dashboard's filters from a query, plus the chosen members; and any problems."""
    form, filters = dashboard_filters(query, organisation=organisation, columns=columns)
    problems = [str(error) for errors in form.errors.values() for error in errors]
    if members and "member" in query:
        values = query.getlist("member")
        if all(value.isdigit() for value in values):
            # Ids of people outside the organisation simply match nobody.
            filters = replace(filters, member_user_ids=frozenset(int(v) for v in values))
        else:
            problems.append(_("Choose staff from the list."))
    elif members and query.get("selection") == "chosen":
        # "Download them" under the dashboard's table, with nobody ticked.
        problems.append(_("Select at least one member of staff on the dashboard."))
    return form, filters, problems


def _problems_page(
    request: HttpRequest, *, organisation: Organisation, form, problems: list[str], what: str
) -> HttpResponse:
    query = form.query_string()
    back = reverse("imh_compliance:dashboard", args=[organisation.pk]) + (
        f"?{query}" if query else ""
    )
    return render(
        request,
        "imh_compliance/reports/filter_problems.html",
        {
            "organisation": organisation,
            "problems": problems,
            "what": what,
            "back_url": back,
            "crumbs": _crumbs(organisation),
        },
        status=400,
    )


def _record_export(
    request: HttpRequest, *, organisation: Organisation, what: str, matrix, filters
) -> None:
    # The access log reads the same for everyone: it is written in the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        words = exports.filters_in_words(
            organisation=organisation, filters=filters, columns=matrix.columns
        )
        detail = _("%(what)s of %(count)s staff") % {"what": what, "count": len(matrix.rows)}
    if words:
        detail += f" ({'; '.join(words)})"
    access_event_record(
        organisation=organisation,
        viewer=request.user,
        action=AccessEvent.Action.EXPORTED,
        detail=detail,
    )


def _export(request: HttpRequest, pk: int, *, kind: str) -> HttpResponse:
    organisation = organisation_for_manager(user=request.user, pk=pk)
    columns = columns_for(organisation=organisation)
    form, filters, problems = _filters(
        request.GET, organisation=organisation, columns=columns, members=True
    )
    if problems:
        return _problems_page(
            request, organisation=organisation, form=form, problems=problems, what=kind
        )
    today = timezone.localdate()
    matrix = compliance_matrix(organisation=organisation, filters=filters, today=today)
    # Each live reliability test adds a status and a "valid until" column.
    reliability = reliability_table(user_ids=[row.user_id for row in matrix.rows], today=today)
    if kind == "CSV":
        response = HttpResponse(
            exports.matrix_csv(matrix, reliability=reliability),
            content_type=exports.CSV_CONTENT_TYPE,
        )
        extension = "csv"
    else:
        response = HttpResponse(
            exports.matrix_xlsx(matrix, reliability=reliability),
            content_type=exports.XLSX_CONTENT_TYPE,
        )
        extension = "xlsx"
    name = exports.filename(organisation=organisation, extension=extension, today=today)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    _record_export(request, organisation=organisation, what=kind, matrix=matrix, filters=filters)
    return response


@require_GET
@login_required
def export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, kind="CSV")


@require_GET
@login_required
def export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, kind="XLSX")


# PDF reports.


def _filter_params(filters: MatrixFilters) -> list[tuple[str, str]]:
    """Filters as the dashboard's query parameters (the hidden fields of the report form)."""
    params = [
        ("q", filters.q),
        ("role", filters.role),
        ("team", "" if filters.team_id is None else str(filters.team_id)),
        ("site", "" if filters.site_id is None else str(filters.site_id)),
        ("status", filters.status),
        ("column", filters.column),
        ("sort", "" if filters.sort == "name" else filters.sort),
        ("order", "desc" if filters.descending else ""),
    ]
    return [(name, value) for name, value in params if value]


@require_http_methods(["GET", "POST"])
@login_required
def report_list(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = organisation_for_manager(user=request.user, pk=pk)
    columns = columns_for(organisation=organisation)
    query = request.POST if request.method == "POST" else request.GET
    form, filters, problems = _filters(
        query, organisation=organisation, columns=columns, members=False
    )
    if problems:
        return _problems_page(
            request, organisation=organisation, form=form, problems=problems, what=_("PDF report")
        )
    if request.method == "POST":
        report = report_request(organisation=organisation, actor=request.user, filters=filters)
        return redirect("imh_compliance:report", pk=organisation.pk, report_pk=report.pk)

    team_names = dict(Team.objects.filter(organisation=organisation).values_list("pk", "name"))
    site_names = dict(Site.objects.filter(organisation=organisation).values_list("pk", "name"))
    reports = list(
        Report.objects.filter(organisation=organisation)
        .select_related("requested_by", "requested_by__profile")
        .order_by("-created_at", "-pk")[:REPORTS_SHOWN]
    )
    for report in reports:
        report.filters_words = exports.filters_in_words(
            organisation=organisation,
            filters=MatrixFilters.from_dict(report.filters or {}),
            columns=columns,
            team_names=team_names,
            site_names=site_names,
        )
        report.requested_by_name = person_name(report.requested_by) or _("A former manager")
    return render(
        request,
        "imh_compliance/reports/list.html",
        {
            "organisation": organisation,
            "filter_params": _filter_params(filters),
            "filters_words": exports.filters_in_words(
                organisation=organisation,
                filters=filters,
                columns=columns,
                team_names=team_names,
                site_names=site_names,
            ),
            "reports": reports,
            "reports_shown": REPORTS_SHOWN,
            "retention_days": report_retention_days(),
            "crumbs": _crumbs(organisation),
        },
    )


def _report_in(organisation: Organisation, report_pk: int) -> Report:
    return get_object_or_404(
        Report.objects.select_related("requested_by", "requested_by__profile"),
        organisation=organisation,
        pk=report_pk,
    )


@require_GET
@never_cache
@login_required
def report_detail(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    organisation = organisation_for_manager(user=request.user, pk=pk)
    report = _report_in(organisation, report_pk)
    columns = columns_for(organisation=organisation)
    filters = MatrixFilters.from_dict(report.filters or {})
    return render(
        request,
        "imh_compliance/reports/detail.html",
        {
            "organisation": organisation,
            "report": report,
            "requested_by_name": person_name(report.requested_by) or _("A former manager"),
            "filters_words": exports.filters_in_words(
                organisation=organisation, filters=filters, columns=columns
            ),
            "filter_params": _filter_params(filters),
            "crumbs": _crumbs(
                organisation,
                (
                    _("Inspection reports"),
                    reverse("imh_compliance:reports", args=[organisation.pk]),
                ),
            ),
        },
    )


@require_GET
@never_cache
@login_required
def report_download(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    organisation = organisation_for_manager(user=request.user, pk=pk)
    report = _report_in(organisation, report_pk)
    if report.status != Report.Status.READY or not report.pdf:
        return redirect("imh_compliance:report", pk=organisation.pk, report_pk=report.pk)
    made = timezone.localtime(report.finished_at or report.created_at)
    response = FileResponse(
        report.pdf.open("rb"),
        as_attachment=True,
        filename=f"compliance-{organisation.slug}-{made:%Y-%m-%d}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    with translation.override(settings.LANGUAGE_CODE):
        detail = _("PDF report %(number)s, made %(when)s") % {
            "number": report.pk,
            "when": f"{made:%Y-%m-%d %H:%M}",
        }
    access_event_record(
        organisation=organisation,
        viewer=request.user,
        action=AccessEvent.Action.EXPORTED,
        detail=detail,
    )
    return response
