"""The compliance matrix as files: CSV and XLSX for spreadsheets, HTML and PDF for inspectors.

Builders only: they take a ``Matrix`` already filtered and sorted by
``imh_compliance.selectors.matrix.compliance_matrix`` and write it out. They read nothing else
from the database except the names of a team, site or course that a filter refers to.

Names, emails, team and site names and course titles are typed by people, so every text cell of
the spreadsheets goes through ``spreadsheet_safe``: a cell that begins like a formula gets a
leading apostrophe, and spreadsheet programs show it as text instead of running it.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from imh_accounts.choices import ProfessionalRole
from imh_compliance import xlsx
from imh_compliance.selectors.columns import Column
from imh_compliance.selectors.matrix import NO_ROLE, Matrix, MatrixFilters
from imh_compliance.selectors.reliability import ReliabilityTable
from imh_compliance.status import MET, Cell, Status
from imh_core.site import site_name
from imh_core.spreadsheets import spreadsheet_safe
from imh_organisations.models import Site, Team
from imh_reliability.standing import Standing

if TYPE_CHECKING:
    from imh_organisations.models import Organisation

PDF_TEMPLATE = "imh_compliance/pdf/report.html"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"


FIXED_HEADINGS = [_("Name"), _("Email"), _("Role"), _("Team"), _("Site"), _("Overall")]


def filename(*, organisation: Organisation, extension: str, today: datetime.date) -> str:
    """``compliance-<organisation slug>-<YYYY-MM-DD>.<extension>``."""
    return f"compliance-{organisation.slug}-{today.isoformat()}.{extension}"


# The table both spreadsheets share.


def cell_date(cell: Cell) -> datetime.date | None:
    """The date that goes with a status: valid until, expired on, or due."""
    if cell.status in MET or cell.status == Status.EXPIRED:
        return cell.valid_until
    if cell.status in (Status.OVERDUE, Status.NOT_STARTED, Status.IN_PROGRESS):
        return cell.due_on
    return None


def headings(columns: list[Column], reliability: ReliabilityTable | None = None) -> list[str]:
    result = [str(heading) for heading in FIXED_HEADINGS]
    for column in columns:
        result += [
            gettext("%(title)s: status") % {"title": column.title},
            gettext("%(title)s: date") % {"title": column.title},
        ]
    for title in reliability.titles if reliability else []:
        result += [
            gettext("Reliability test %(title)s: status") % {"title": title},
            gettext("Reliability test %(title)s: valid until") % {"title": title},
        ]
    return result


def records(matrix: Matrix, reliability: ReliabilityTable | None = None) -> Iterator[list[Any]]:
    """One list per member: text as ``str`` (not yet neutralised) and dates as ``date``.

    With ``reliability``, each live reliability test adds its status and the date the
    person's result is (or was) valid until."""
    for row in matrix.rows:
        record: list[Any] = [
            row.name,
            row.email,
            row.role_label,
            row.team,
            row.site,
            row.summary,
        ]
        for cell in row.cells:
            record += [cell.label, cell_date(cell)]
        if reliability:
            for standing in reliability.for_user(row.user_id):
                record += [standing.label, standing.valid_until]
        yield record


def totals_table(matrix: Matrix) -> list[dict[str, Any]]:
    """Per column: its title, a count per status (worst first) and how many it is required of."""
    result = []
    for column, totals in zip(matrix.columns, matrix.totals, strict=True):
        counts = [totals.get(status, 0) for status in matrix.statuses]
        result.append({"title": column.title, "counts": counts, "required": sum(counts)})
    return result


def overall_summary(matrix: Matrix) -> dict[str, int]:
    """How many of the rows shown are compliant, not compliant or on track."""
    summary = {"members": len(matrix.rows), "compliant": 0, "not_compliant": 0, "on_track": 0}
    key = {"Compliant": "compliant", "Not compliant": "not_compliant", "On track": "on_track"}
    for row in matrix.rows:
        summary[key[row.summary]] += 1
    return summary


# CSV.


def matrix_csv(matrix: Matrix, *, reliability: ReliabilityTable | None = None) -> str:
    """The matrix as CSV text, starting with a byte-order mark so Excel reads it as UTF-8."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(
        [spreadsheet_safe(heading) for heading in headings(matrix.columns, reliability)]
    )
    for record in records(matrix, reliability):
        writer.writerow(
            [
                value.isoformat() if isinstance(value, datetime.date) else spreadsheet_safe(value)
                for value in record
            ]
        )
    return out.getvalue()


# XLSX.


def matrix_xlsx(matrix: Matrix, *, reliability: ReliabilityTable | None = None) -> bytes:
    """The matrix as an XLSX workbook: a "Compliance" sheet and a "Totals" sheet.

    Text cells are neutralised like the CSV's and stored as strings, never formulas; dates are
    real dates. The headings and the names column stay in view when scrolling.
    """
    compliance_sheet = xlsx.Sheet(
        title=gettext("Compliance"),
        headings=[spreadsheet_safe(heading) for heading in headings(matrix.columns, reliability)],
        rows=(
            [
                value
                if value is None or isinstance(value, datetime.date)
                else spreadsheet_safe(value)
                for value in record
            ]
            for record in records(matrix, reliability)
        ),
        widths=[28, 32, 24, 20, 20, 14]
        + [16, 12] * (len(matrix.columns) + (len(reliability.tests) if reliability else 0)),
        freeze=(1, 1),
    )
    totals_sheet = xlsx.Sheet(
        title=gettext("Totals"),
        headings=[
            gettext("Course or pathway"),
            *[str(status.label) for status in matrix.statuses],
            gettext("Required of"),
        ],
        rows=(
            [spreadsheet_safe(entry["title"]), *entry["counts"], entry["required"]]
            for entry in totals_table(matrix)
        ),
        widths=[40],
        freeze=(1, 1),
    )
    return xlsx.workbook_bytes([compliance_sheet, totals_sheet])


def filters_in_words(
    *,
    organisation: Organisation,
    filters: MatrixFilters,
    columns: list[Column],
    team_names: dict[int, str] | None = None,
    site_names: dict[int, str] | None = None,
) -> list[str]:
    """The filters as phrases for people: ["Role: Midwife", "Status: Overdue in …"].

    ``team_names`` and ``site_names`` (id -> name) save a query each when many reports are
    described at once; without them the names are looked up within the organisation.
    """
    words = []
    if filters.q:
        words.append(gettext("Name or email contains “%(text)s”") % {"text": filters.q})
    if filters.role:
        label = (
            gettext("Not recorded")
            if filters.role == NO_ROLE
            else dict(ProfessionalRole.choices).get(filters.role, filters.role)
        )
        words.append(gettext("Role: %(role)s") % {"role": label})
    if filters.team_id is not None:
        if team_names is None:
            team_names = dict(
                Team.objects.filter(organisation=organisation).values_list("pk", "name")
            )
        name = team_names.get(filters.team_id)
        words.append(
            gettext("Team: %(name)s") % {"name": name or gettext("a team that no longer exists")}
        )
    if filters.site_id is not None:
        if site_names is None:
            site_names = dict(
                Site.objects.filter(organisation=organisation).values_list("pk", "name")
            )
        name = site_names.get(filters.site_id)
        words.append(
            gettext("Site: %(name)s") % {"name": name or gettext("a site that no longer exists")}
        )
    titles = {column.key: column.title for column in columns}
    if filters.status:
        label = dict(Status.choices).get(filters.status, filters.status)
        where = titles.get(filters.column) if filters.column else None
        if where:
            words.append(
                gettext("Status: %(status)s in %(where)s") % {"status": label, "where": where}
            )
        else:
            words.append(gettext("Status: %(status)s in any course") % {"status": label})
    elif filters.column and filters.column in titles:
        words.append(gettext("Course or pathway: %(title)s") % {"title": titles[filters.column]})
    if filters.member_user_ids is not None:
        count = len(filters.member_user_ids)
        words.append(
            ngettext("Only %(count)s chosen person", "Only %(count)s chosen people", count)
            % {"count": count}
        )
    return words


def _sort_in_words(filters: MatrixFilters, columns: list[Column]) -> str:
    titles = {
        "name": gettext("name"),
        "role": gettext("role"),
        "team": gettext("team"),
        "site": gettext("site"),
        **{
            column.key: gettext("status in %(title)s") % {"title": column.title}
            for column in columns
        },
    }
    by = titles.get(filters.sort, filters.sort)
    if filters.descending:
        return gettext("Sorted by %(by)s, descending") % {"by": by}
    return gettext("Sorted by %(by)s, ascending") % {"by": by}


# PDF.


def _short_date(value: datetime.date) -> str:
    # Month names in the active language.
    return date_format(value, "j M Y")


def short_cell(cell: Cell) -> str:
    """A cell as the PDF prints it: "Completed, to 3 Mar 2027", "Overdue, due 1 Feb 2026"."""
    if cell.status == Status.NOT_REQUIRED:
        return "\u2013"  # an en dash: not required of them
    date = cell_date(cell)
    if date is None:
        return cell.label
    values = {"status": cell.label, "date": _short_date(date)}
    if cell.status in MET:
        return gettext("%(status)s, to %(date)s") % values
    if cell.status == Status.EXPIRED:
        return gettext("%(status)s %(date)s") % values
    return gettext("%(status)s, due %(date)s") % values


def short_standing(standing: Standing) -> str:
    """A reliability standing as the PDF prints it: "Current, to 3 Mar 2027"."""
    if standing.valid_until is None:
        return standing.label
    values = {"status": standing.label, "date": _short_date(standing.valid_until)}
    if standing.is_held:
        return gettext("%(status)s, to %(date)s") % values
    return gettext("%(status)s %(date)s") % values


def report_context(
    *,
    matrix: Matrix,
    filters: MatrixFilters,
    requested_by_name: str,
    generated_at: datetime.datetime | None = None,
    reliability: ReliabilityTable | None = None,
) -> dict[str, Any]:
    generated_at = timezone.localtime(generated_at or timezone.now())
    organisation = matrix.organisation
    return {
        "organisation": organisation,
        "matrix": matrix,
        "rows": [
            {
                "row": row,
                "cells": [short_cell(cell) for cell in row.cells]
                + [
                    short_standing(standing)
                    for standing in (reliability.for_user(row.user_id) if reliability else [])
                ],
            }
            for row in matrix.rows
        ],
        "reliability_titles": reliability.titles if reliability else [],
        "totals": totals_table(matrix),
        "summary": overall_summary(matrix),
        "filters_words": filters_in_words(
            organisation=organisation, filters=filters, columns=matrix.columns
        ),
        "sort_words": _sort_in_words(filters, matrix.columns),
        "requested_by_name": requested_by_name,
        "generated_at": generated_at,
        "site_name": site_name(),
        # The report's lang attribute follows the language it is written in.
        "language": translation.get_language() or "en-GB",
    }


def report_html(**kwargs: Any) -> str:
    """The report as HTML for WeasyPrint; every name is escaped by the template engine."""
    return render_to_string(PDF_TEMPLATE, report_context(**kwargs))


def report_pdf(**kwargs: Any) -> bytes:
    """The report as a tagged (PDF/UA-1) A4 landscape PDF.

    Rendered by the certificates' renderer, whose URL fetcher reads only the site's own static
    files and ``data:`` URIs, so nothing in the data can make it read a file or call a server.
    """
    from imh_certificates.rendering import html_to_pdf

    return html_to_pdf(report_html(**kwargs))
