"""Reads for the compliance dashboard, member records, exports and reminders.

``compliance_matrix`` builds the whole staff-by-requirement matrix of one organisation in a
fixed number of queries (seven, whatever the number of staff or requirements) and does the
rest in memory: statuses, filters, search, sorting and column totals. Pages slice its rows.
"""

from __future__ import annotations

import datetime
import gc
from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from imh_accounts.choices import ProfessionalRole
from imh_compliance.models import AccessEvent, Assignment, MandatoryRule
from imh_compliance.status import (
    EXPIRING_WITHIN_DAYS,
    NOT_REQUIRED,
    SEVERITY,
    Cell,
    Status,
    course_cell,
    pathway_cell,
)
from imh_courses.models import CoursePage, Pathway
from imh_courses.selectors import records
from imh_organisations.models import Membership, Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

_STATUS_OF = itemgetter(0)  # a Cell's status
NO_ROLE = "none"  # the role filter's value for members who have not given a role
SORTS = ("name", "role", "team", "site")


@dataclass(frozen=True)
class Column:
    """One mandatory course or pathway: a column of the matrix."""

    key: str  # "course:12" or "pathway:3"
    kind: str  # "course" or "pathway"
    pk: int
    title: str
    course_ids: tuple[int, ...]  # the course, or the pathway's courses in order
    rule_id: int | None = None


@dataclass(slots=True)
class Row:
    """One member: who they are and a cell per column."""

    membership_id: int
    user_id: int
    name: str
    email: str
    role: str
    team_id: int | None
    team: str
    site_id: int | None
    site: str
    cells: list[Cell] = field(default_factory=list)

    @property
    def role_label(self) -> str:
        return ProfessionalRole(self.role).label if self.role else "Not recorded"

    @property
    def summary(self) -> str:
        """Compliant (all met), Not compliant (something overdue or expired) or On track."""
        statuses = set(map(_STATUS_OF, self.cells))
        statuses.discard(Status.NOT_REQUIRED)
        if statuses & {Status.OVERDUE, Status.EXPIRED}:
            return "Not compliant"
        if statuses <= {Status.COMPLETED, Status.EXPIRING}:
            return "Compliant"
        return "On track"


@dataclass(frozen=True)
class MatrixFilters:
    """Validated filters (see ``imh_compliance.forms.DashboardFilterForm``)."""

    q: str = ""
    role: str = ""  # a ProfessionalRole value, NO_ROLE, or "" for all
    team_id: int | None = None
    site_id: int | None = None
    status: str = ""  # a Status value, or "" for all
    column: str = ""  # restrict the status filter to one column key
    sort: str = "name"  # one of SORTS or a column key
    descending: bool = False
    member_user_ids: frozenset[int] | None = None  # only these people (exports of a selection)

    def as_dict(self) -> dict:
        """JSON-safe, for storing with a report."""
        return {
            "q": self.q,
            "role": self.role,
            "team_id": self.team_id,
            "site_id": self.site_id,
            "status": self.status,
            "column": self.column,
            "sort": self.sort,
            "descending": self.descending,
        }

    @classmethod
    def from_dict(cls, data: dict) -> MatrixFilters:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known.pop("member_user_ids", None)
        return cls(**known)


@dataclass
class Matrix:
    organisation: Organisation
    today: datetime.date
    columns: list[Column]
    rows: list[Row]  # filtered and sorted
    member_count: int  # before filtering
    totals: list[dict[str, int]]  # per column: status -> count, over the filtered rows

    @property
    def statuses(self) -> list[Status]:
        """The statuses a total can be for, worst first."""
        return [status for status in Status if status != Status.NOT_REQUIRED]


# Access.


def organisation_for_manager(*, user: AbstractBaseUser, pk: int) -> Organisation:
    """The organisation ``user`` actively manages with this id, or 404 (whoever else owns it)."""
    return get_object_or_404(
        Organisation.objects.filter(
            memberships__user=user,
            memberships__role=Membership.Role.MANAGER,
            memberships__status=Membership.Status.ACTIVE,
        ),
        pk=pk,
    )


def active_members(*, organisation: Organisation) -> QuerySet[Membership]:
    return Membership.objects.filter(organisation=organisation, status=Membership.Status.ACTIVE)


def member_of_organisation(*, organisation: Organisation, membership_pk: int) -> Membership:
    """An active membership of the organisation by id, or 404."""
    return get_object_or_404(
        active_members(organisation=organisation).select_related(
            "user", "user__profile", "team", "site"
        ),
        pk=membership_pk,
    )


# Columns.


def columns_for(*, organisation: Organisation) -> list[Column]:
    """The organisation's active rules, then anything else assigned to current members.

    Three queries whatever the rules and assignments (none waits for another's ids), so the
    matrix costs the same for one course as for ten courses and pathways.
    """
    active_rules = MandatoryRule.objects.filter(organisation=organisation, is_active=True)
    rules = list(active_rules.select_related("course"))
    assigned = Assignment.objects.filter(
        organisation=organisation,
        user_id__in=active_members(organisation=organisation).values("user_id"),
    ).order_by()
    ruled_courses = {rule.course_id for rule in rules if rule.course_id}
    ruled_pathways = {rule.pathway_id for rule in rules if rule.pathway_id}
    extra_courses = list(
        CoursePage.objects.filter(pk__in=assigned.filter(course__isnull=False).values("course_id"))
        .exclude(pk__in=ruled_courses)
        .only("pk", "title")
    )
    # Every pathway ruled or assigned, with its courses in order (one row per course).
    pathways: dict[int, tuple[str, list[int]]] = {}
    for pathway_id, title, course_id in (
        (
            Pathway.objects.filter(
                pk__in=active_rules.filter(pathway__isnull=False).values("pathway_id")
            )
            | Pathway.objects.filter(
                pk__in=assigned.filter(pathway__isnull=False).values("pathway_id")
            )
        )
        .order_by("pk", "pathway_courses__sort_order", "pathway_courses__pk")
        .values_list("pk", "title", "pathway_courses__course_id")
    ):
        courses = pathways.setdefault(pathway_id, (title, []))[1]
        if course_id is not None:
            courses.append(course_id)

    def pathway_column(pathway_id: int, rule_id: int | None = None) -> Column:
        title, course_ids = pathways.get(pathway_id, ("", []))
        return Column(
            f"pathway:{pathway_id}", "pathway", pathway_id, title, tuple(course_ids), rule_id
        )

    columns = []
    for rule in rules:
        if rule.course_id:
            columns.append(
                Column(
                    f"course:{rule.course_id}",
                    "course",
                    rule.course_id,
                    rule.course.title,
                    (rule.course_id,),
                    rule.pk,
                )
            )
        else:
            columns.append(pathway_column(rule.pathway_id, rule.pk))
    for course in sorted(extra_courses, key=lambda c: c.title.lower()):
        columns.append(
            Column(f"course:{course.pk}", "course", course.pk, course.title, (course.pk,))
        )
    extra_pathway_ids = [pk for pk in pathways if pk not in ruled_pathways]
    for pathway_id in sorted(extra_pathway_ids, key=lambda pk: pathways[pk][0].lower()):
        columns.append(pathway_column(pathway_id))
    return columns


# The matrix.


def _display_name(full_name: str | None, first: str, last: str, email: str) -> str:
    return (full_name or "").strip() or f"{first} {last}".strip() or email


def _member_rows(*, organisation: Organisation, member_user_ids) -> list[Row]:
    queryset = active_members(organisation=organisation)
    if member_user_ids is not None:
        queryset = queryset.filter(user_id__in=member_user_ids)
    values = queryset.order_by().values_list(
        "pk",
        "user_id",
        "user__profile__full_name",
        "user__first_name",
        "user__last_name",
        "user__email",
        "user__profile__professional_role",
        "team_id",
        "team__name",
        "site_id",
        "site__name",
    )
    return [
        Row(
            membership_id=pk,
            user_id=user_id,
            name=_display_name(full_name, first, last, email),
            email=email,
            role=role or "",
            team_id=team_id,
            team=team or "",
            site_id=site_id,
            site=site or "",
        )
        for (
            pk,
            user_id,
            full_name,
            first,
            last,
            email,
            role,
            team_id,
            team,
            site_id,
            site,
        ) in values
    ]


def cells_for(
    *,
    organisation: Organisation,
    columns: list[Column],
    user_ids,
    today: datetime.date,
) -> dict[int, list[Cell]]:
    """user id -> a cell per column, for the people in ``user_ids`` (a queryset or ids).

    For thousands of staff this makes a hundred thousand small objects that all live until
    the page is made; the cyclic garbage collector is paused meanwhile, since its passes
    over them (and the rest of the heap) would find nothing to free and cost a third of the
    time.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _cells(organisation=organisation, columns=columns, user_ids=user_ids, today=today)
    finally:
        if collecting:
            gc.enable()


def _cells(
    *,
    organisation: Organisation,
    columns: list[Column],
    user_ids,
    today: datetime.date,
) -> dict[int, list[Cell]]:
    # Where each assigned item's column is; a person's due dates sit in a list by column.
    course_index = {c.pk: i for i, c in enumerate(columns) if c.kind == "course"}
    pathway_index = {c.pk: i for i, c in enumerate(columns) if c.kind == "pathway"}
    width = len(columns)
    due: dict[int, list[datetime.date | None]] = {}
    for user_id, course_id, pathway_id, due_on in (
        Assignment.objects.filter(organisation=organisation, user_id__in=user_ids)
        .order_by()
        .values_list("user_id", "course_id", "pathway_id", "due_on")
    ):
        dues = due.get(user_id)
        if dues is None:
            dues = due[user_id] = [None] * width
        index = course_index.get(course_id) if course_id else pathway_index.get(pathway_id)
        if index is not None:
            dues[index] = due_on

    course_ids = {course_id for column in columns for course_id in column.course_ids}
    completions = records.completion_summaries(user_ids=user_ids, course_ids=course_ids)
    enrolments = records.open_enrolment_summaries(user_ids=user_ids, course_ids=course_ids)

    result: dict[int, list[Cell]] = {}
    for user_id, dues in due.items():
        cells = []
        for column, due_on in zip(columns, dues, strict=True):
            if due_on is None:
                cells.append(NOT_REQUIRED)
            elif column.kind == "course":
                pair = (user_id, column.pk)
                cells.append(
                    course_cell(
                        today=today,
                        due_on=due_on,
                        completion=completions.get(pair),
                        enrolment=enrolments.get(pair),
                    )
                )
            else:
                cells.append(
                    pathway_cell(
                        today=today,
                        due_on=due_on,
                        completions=[completions.get((user_id, c)) for c in column.course_ids],
                        enrolments=[enrolments.get((user_id, c)) for c in column.course_ids],
                    )
                )
        result[user_id] = cells
    return result


# The same statuses worked out by the database, for the whole organisation at once.
#
# ``imh_compliance.status`` is the reference: ``course_cell`` and ``pathway_cell`` decide one cell
# from the learning records, and the member's page uses them. For thousands of staff the
# matrix asks the database to apply exactly those rules to the facts each assignment keeps of
# its learning records (``imh_compliance.services.facts``), reading one table; a test holds the
# two to the same answers on every boundary. Dates are passed in as parameters, so the SQL is
# the same on PostgreSQL and SQLite.
_STATUS_SQL = """
CASE
    WHEN a.completed_on IS NOT NULL THEN
        CASE
            WHEN a.valid_until IS NULL THEN 'completed'
            WHEN a.valid_until < %s THEN 'expired'
            WHEN a.valid_until <= %s THEN 'expiring'
            ELSE 'completed'
        END
    WHEN a.due_on < %s THEN 'overdue'
    WHEN a.started THEN 'in_progress'
    ELSE 'not_started'
END"""

_MATRIX_SQL = """
SELECT a.user_id AS user_id, {slot} AS slot, a.due_on AS due_on,
       a.valid_until AS valid_until, a.completed_on AS completed_on, {status} AS status
FROM {assignment} a
WHERE a.organisation_id = %s{member_filter}
"""


def _column_index_sql(expression: str, columns: list[Column], kind: str) -> str:
    """A CASE giving the position of the course or pathway among ``columns`` (NULL if none)."""
    whens = " ".join(
        f"WHEN {int(column.pk)} THEN {index}"
        for index, column in enumerate(columns)
        if column.kind == kind
    )
    return f"CASE {expression} {whens} END" if whens else "NULL"


def _as_date(value):
    """SQLite hands dates back as text; PostgreSQL as dates."""
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)


def _matrix_sql(
    *,
    organisation: Organisation,
    columns: list[Column],
    member_user_ids: frozenset[int] | None,
    today: datetime.date,
) -> tuple[str, list]:
    """The query giving (user id, column position, due on, valid until, completed on, status)
    per assignment.

    Without ``member_user_ids`` it reads the organisation's assignments whole, people who
    have left included (callers drop them): cheaper than a join for the database.
    """
    limit = today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)
    params: list = [today, limit, today, organisation.pk]
    member_filter = ""
    if member_user_ids is not None:
        member_filter = f" AND a.user_id IN ({', '.join(['%s'] * len(member_user_ids))})"
        params += sorted(member_user_ids)
    course_slot = _column_index_sql("a.course_id", columns, "course")
    pathway_slot = _column_index_sql("a.pathway_id", columns, "pathway")
    sql = _MATRIX_SQL.format(
        assignment=Assignment._meta.db_table,
        member_filter=member_filter,
        # Each row names its column's position, so nothing needs looking up in Python.
        slot=f"COALESCE({course_slot}, {pathway_slot})",
        status=_STATUS_SQL,
    )
    return sql, params


# A cell with a status and no dates, one for each status: what the summary matrix is made of.
_STATUS_CELLS = {None: NOT_REQUIRED, **{status.value: Cell(status.value) for status in Status}}


def _matrix_statuses(
    *,
    organisation: Organisation,
    columns: list[Column],
    member_user_ids: frozenset[int] | None,
    people: set[int],
    today: datetime.date,
) -> dict[int, tuple[Cell, ...]]:
    """user id -> a dateless cell per column: one row per person from the database.

    The database turns each person's assignments into one row with a status per column, so
    5,000 staff are 5,000 short rows, and every cell is one of seven shared objects.
    """
    if not columns or (member_user_ids is not None and not member_user_ids):
        return {}
    sql, params = _matrix_sql(
        organisation=organisation, columns=columns, member_user_ids=member_user_ids, today=today
    )
    pivot = ", ".join(
        f"MAX(CASE WHEN slot = {index} THEN status END)" for index in range(len(columns))
    )
    # Only integers and fixed text go into the query; the values travel as parameters.
    sql = f"SELECT user_id, {pivot} FROM ({sql}) cells GROUP BY user_id"  # noqa: S608
    lookup = _STATUS_CELLS.__getitem__
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            row[0]: tuple(map(lookup, row[1:])) for row in cursor.fetchall() if row[0] in people
        }


def _matrix_cells(
    *,
    organisation: Organisation,
    columns: list[Column],
    member_user_ids: frozenset[int] | None,
    people: set[int],
    today: datetime.date,
) -> dict[int, list[Cell]]:
    """user id -> a cell per column for ``people`` (active members), in one query.

    The query reads the organisation's assignments whole, people who have left included,
    and ``people`` drops the rest here: cheaper than one more join for the database.
    """
    if not columns or (member_user_ids is not None and not member_user_ids):
        return {}
    sql, params = _matrix_sql(
        organisation=organisation, columns=columns, member_user_ids=member_user_ids, today=today
    )
    width = len(columns)
    dates: dict = {}  # each distinct date converted once (SQLite gives text)
    result: dict[int, list[Cell]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for user_id, index, due_on, valid_until, completed_on, status in rows:
        if index is None or user_id not in people:
            continue
        cells = result.get(user_id)
        if cells is None:
            cells = result[user_id] = [NOT_REQUIRED] * width
        if due_on.__class__ is str:
            due_on = dates.get(due_on) or dates.setdefault(due_on, _as_date(due_on))
        if valid_until.__class__ is str:
            valid_until = dates.get(valid_until) or dates.setdefault(
                valid_until, _as_date(valid_until)
            )
        if completed_on.__class__ is str:
            completed_on = dates.get(completed_on) or dates.setdefault(
                completed_on, _as_date(completed_on)
            )
        cells[index] = Cell(status, due_on, valid_until, completed_on)
    return result


def _matches(row: Row, filters: MatrixFilters, column_index: int | None) -> bool:
    if filters.q:
        needle = filters.q.casefold()
        if needle not in row.name.casefold() and needle not in row.email.casefold():
            return False
    if filters.role:
        if filters.role == NO_ROLE:
            if row.role:
                return False
        elif row.role != filters.role:
            return False
    if filters.team_id is not None and row.team_id != filters.team_id:
        return False
    if filters.site_id is not None and row.site_id != filters.site_id:
        return False
    if filters.status:
        cells = row.cells if column_index is None else [row.cells[column_index]]
        if not any(cell.status == filters.status for cell in cells):
            return False
    return True


def _sort_key(filters: MatrixFilters, columns: list[Column]):
    index = next((i for i, c in enumerate(columns) if c.key == filters.sort), None)
    if index is not None:
        return lambda row: (SEVERITY[row.cells[index].status], row.name.casefold())
    if filters.sort == "role":
        return lambda row: (row.role_label.casefold(), row.name.casefold())
    if filters.sort in ("team", "site"):
        attribute = filters.sort
        # Members with no team (or site) go last in ascending order.
        return lambda row: (
            not getattr(row, attribute),
            getattr(row, attribute).casefold(),
            row.name.casefold(),
        )
    return lambda row: (row.name.casefold(), row.email.casefold())


def compliance_matrix(
    *,
    organisation: Organisation,
    filters: MatrixFilters | None = None,
    today: datetime.date | None = None,
    columns: list[Column] | None = None,
    detail: bool = True,
) -> Matrix:
    """The organisation's active staff against its requirements, filtered and sorted.

    ``columns`` may be passed in when the caller has just read them (``columns_for``).
    With ``detail=False`` the cells carry statuses but no dates, which is all filtering,
    sorting and totals need and several times quicker for thousands of staff; a page then
    fills in its own rows with ``matrix_rows_detail``.

    The garbage collector is paused while it is made, as in ``cells_for``.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _matrix(
            organisation=organisation,
            filters=filters,
            today=today,
            columns=columns,
            detail=detail,
        )
    finally:
        if collecting:
            gc.enable()


def _matrix(
    *,
    organisation: Organisation,
    filters: MatrixFilters | None,
    today: datetime.date | None,
    columns: list[Column] | None,
    detail: bool = True,
) -> Matrix:
    filters = filters or MatrixFilters()
    today = today or timezone.localdate()
    if columns is None:
        columns = columns_for(organisation=organisation)
    rows = _member_rows(organisation=organisation, member_user_ids=filters.member_user_ids)
    member_count = len(rows)
    cells = (_matrix_cells if detail else _matrix_statuses)(
        organisation=organisation,
        columns=columns,
        member_user_ids=filters.member_user_ids,
        people={row.user_id for row in rows},
        today=today,
    )
    blank = [NOT_REQUIRED] * len(columns)
    for row in rows:
        row.cells = cells.get(row.user_id, blank)

    column_index = next((i for i, c in enumerate(columns) if c.key == filters.column), None)
    rows = [row for row in rows if _matches(row, filters, column_index)]
    rows.sort(key=_sort_key(filters, columns), reverse=filters.descending)

    # Counted column by column with C-level iteration: 50,000 cells add up quickly.
    cell_lists = [row.cells for row in rows]
    totals = [
        Counter(map(_STATUS_OF, map(itemgetter(index), cell_lists)))
        for index in range(len(columns))
    ]
    return Matrix(
        organisation=organisation,
        today=today,
        columns=columns,
        rows=rows,
        member_count=member_count,
        totals=[dict(counter) for counter in totals],
    )


def matrix_rows_detail(
    *, organisation: Organisation, columns: list[Column], rows: list[Row], today: datetime.date
) -> None:
    """Give ``rows`` (a page of a matrix made with ``detail=False``) their dated cells."""
    people = {row.user_id for row in rows}
    cells = _matrix_cells(
        organisation=organisation,
        columns=columns,
        member_user_ids=frozenset(people),
        people=people,
        today=today,
    )
    blank = [NOT_REQUIRED] * len(columns)
    for row in rows:
        row.cells = cells.get(row.user_id, blank)


def member_cells(
    *, organisation: Organisation, user_id: int, today: datetime.date | None = None
) -> list[tuple[Column, Cell]]:
    """One member's requirements and where they stand (required ones only)."""
    today = today or timezone.localdate()
    columns = columns_for(organisation=organisation)
    cells = cells_for(
        organisation=organisation, columns=columns, user_ids=[user_id], today=today
    ).get(user_id, [])
    return [
        (column, cell)
        for column, cell in zip(columns, cells, strict=True)
        if cell.status != Status.NOT_REQUIRED
    ]


# The audit log.


def access_events_for(*, organisation: Organisation) -> QuerySet[AccessEvent]:
    return AccessEvent.objects.filter(organisation=organisation).order_by("-created_at", "-pk")


def access_events_about(*, user: AbstractBaseUser) -> QuerySet[AccessEvent]:
    """Views of this person's record by managers: they may see who looked."""
    return (
        AccessEvent.objects.filter(member=user, action=AccessEvent.Action.VIEWED_RECORD)
        .select_related("organisation")
        .order_by("-created_at", "-pk")
    )


# Rules and assignments.


def item_for_key(key: str) -> CoursePage | Pathway | None:
    """The live course or active pathway a key such as "course:12" names, or None."""
    kind, _, pk = (key or "").partition(":")
    if not pk.isdigit() or len(pk) > 18:
        return None
    if kind == "course":
        return CoursePage.objects.live().filter(pk=int(pk)).first()
    if kind == "pathway":
        return Pathway.objects.filter(pk=int(pk), is_active=True).first()
    return None


def assignable_items(*, organisation: Organisation) -> list[tuple[str, str]]:
    """(key, title) of every live course and active pathway, sorted by title.

    What can be made mandatory or assigned; the same for every organisation, since the
    catalogue is shared. Keys start "course:" or "pathway:", so forms can group them.
    """
    items = [
        (f"course:{pk}", title)
        for pk, title in CoursePage.objects.live().values_list("pk", "title")
    ] + [
        (f"pathway:{pk}", title)
        for pk, title in Pathway.objects.filter(is_active=True).values_list("pk", "title")
    ]
    return sorted(items, key=lambda item: (item[1].casefold(), item[0]))


def rules_for(*, organisation: Organisation) -> list[MandatoryRule]:
    """The organisation's rules, active first then by title, each with ``assigned_count``.

    ``assigned_count`` is how many current members are assigned the rule's course or pathway
    (whether by the rule or by a manager). Two queries whatever the number of rules.
    """
    rules = list(
        MandatoryRule.objects.filter(organisation=organisation).select_related("course", "pathway")
    )
    counts = Counter(
        Assignment.objects.filter(
            organisation=organisation,
            user_id__in=active_members(organisation=organisation).values("user_id"),
        )
        .order_by()
        .values_list("course_id", "pathway_id")
    )
    for rule in rules:
        rule.assigned_count = counts.get((rule.course_id, rule.pathway_id), 0)
    rules.sort(key=lambda rule: (not rule.is_active, rule.item_title.casefold(), rule.pk))
    return rules


def rule_of_organisation(*, organisation: Organisation, pk: int) -> MandatoryRule:
    """One of the organisation's rules by id, or 404 (whichever organisation owns it)."""
    return get_object_or_404(
        MandatoryRule.objects.filter(organisation=organisation).select_related("course", "pathway"),
        pk=pk,
    )
