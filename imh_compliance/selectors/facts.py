"""The matrix's cells worked out by the database from the facts each assignment keeps."""

from __future__ import annotations

import datetime

from django.db import connection

from imh_compliance.models import Assignment
from imh_compliance.selectors.columns import Column
from imh_compliance.status import EXPIRING_WITHIN_DAYS, NOT_REQUIRED, Cell, Status
from imh_organisations.models import Organisation

# The same statuses as ``cells``, worked out by the database for the whole organisation at once.
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


def matrix_statuses(
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


def matrix_cells(
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
