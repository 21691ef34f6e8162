"""The compliance matrix: an organisation's staff against its requirements, filtered and sorted.

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

from django.utils import timezone

from imh_accounts.choices import ProfessionalRole
from imh_compliance.selectors.access import active_members
from imh_compliance.selectors.columns import Column, columns_for
from imh_compliance.selectors.facts import matrix_cells, matrix_statuses
from imh_compliance.status import NOT_REQUIRED, SEVERITY, Cell, Status
from imh_core.people import person_name_from
from imh_organisations.models import Organisation

_STATUS_OF = itemgetter(0)  # a Cell's status
NO_ROLE = "none"  # the role filter's value for members who have not given a role
SORTS = ("name", "role", "team", "site")


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
            name=person_name_from(
                full_name=full_name, first_name=first, last_name=last, email=email
            ),
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

    The garbage collector is paused while it is made, as in ``cells.cells_for``.
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
    cells = (matrix_cells if detail else matrix_statuses)(
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
    cells = matrix_cells(
        organisation=organisation,
        columns=columns,
        member_user_ids=frozenset(people),
        people=people,
        today=today,
    )
    blank = [NOT_REQUIRED] * len(columns)
    for row in rows:
        row.cells = cells.get(row.user_id, blank)
