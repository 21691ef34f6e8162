"""Reads for the compliance dashboard, member records, exports and reminders.

``compliance_matrix`` builds the whole staff-by-requirement matrix of one organisation in a
fixed number of queries (seven, whatever the number of staff or requirements) and does the
rest in memory: statuses, filters, search, sorting and column totals. Pages slice its rows.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.choices import ProfessionalRole
from compliance.models import AccessEvent, Assignment, MandatoryRule
from compliance.status import NOT_REQUIRED, SEVERITY, Cell, Status, course_cell, pathway_cell
from courses.models import CoursePage, Pathway
from courses.selectors import records
from organisations.models import Membership, Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

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


@dataclass
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
        statuses = {cell.status for cell in self.cells} - {Status.NOT_REQUIRED}
        if statuses & {Status.OVERDUE, Status.EXPIRED}:
            return "Not compliant"
        if statuses <= {Status.COMPLETED, Status.EXPIRING}:
            return "Compliant"
        return "On track"


@dataclass(frozen=True)
class MatrixFilters:
    """Validated filters (see ``compliance.forms.DashboardFilterForm``)."""

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
    """The organisation's active rules, then anything else assigned to current members."""
    rules = list(
        MandatoryRule.objects.filter(organisation=organisation, is_active=True).select_related(
            "course", "pathway"
        )
    )
    assigned = set(
        Assignment.objects.filter(
            organisation=organisation,
            user_id__in=active_members(organisation=organisation).values("user_id"),
        )
        .order_by()
        .values_list("course_id", "pathway_id")
        .distinct()
    )
    ruled_courses = {rule.course_id for rule in rules if rule.course_id}
    ruled_pathways = {rule.pathway_id for rule in rules if rule.pathway_id}
    extra_course_ids = {c for c, p in assigned if c and c not in ruled_courses}
    extra_pathway_ids = {p for c, p in assigned if p and p not in ruled_pathways}
    extra_courses = (
        list(CoursePage.objects.filter(pk__in=extra_course_ids).only("pk", "title"))
        if extra_course_ids
        else []
    )
    extra_pathways = (
        list(Pathway.objects.filter(pk__in=extra_pathway_ids).only("pk", "title"))
        if extra_pathway_ids
        else []
    )
    pathway_ids = ruled_pathways | {p.pk for p in extra_pathways}
    pathway_courses = records.pathway_course_ids(pathway_ids=pathway_ids)

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
            columns.append(
                Column(
                    f"pathway:{rule.pathway_id}",
                    "pathway",
                    rule.pathway_id,
                    rule.pathway.title,
                    tuple(pathway_courses.get(rule.pathway_id, ())),
                    rule.pk,
                )
            )
    for course in sorted(extra_courses, key=lambda c: c.title.lower()):
        columns.append(
            Column(f"course:{course.pk}", "course", course.pk, course.title, (course.pk,))
        )
    for pathway in sorted(extra_pathways, key=lambda p: p.title.lower()):
        columns.append(
            Column(
                f"pathway:{pathway.pk}",
                "pathway",
                pathway.pk,
                pathway.title,
                tuple(pathway_courses.get(pathway.pk, ())),
            )
        )
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
    """user id -> a cell per column, for the people in ``user_ids`` (a queryset or ids)."""
    due: dict[tuple[int, str], datetime.date] = {}
    for user_id, course_id, pathway_id, due_on in (
        Assignment.objects.filter(organisation=organisation, user_id__in=user_ids)
        .order_by()
        .values_list("user_id", "course_id", "pathway_id", "due_on")
    ):
        key = f"course:{course_id}" if course_id else f"pathway:{pathway_id}"
        due[(user_id, key)] = due_on

    course_ids = {course_id for column in columns for course_id in column.course_ids}
    completions = records.completion_summaries(user_ids=user_ids, course_ids=course_ids)
    enrolments = records.open_enrolment_summaries(user_ids=user_ids, course_ids=course_ids)

    people = {user_id for user_id, _ in due}
    result: dict[int, list[Cell]] = {}
    for user_id in people:
        cells = []
        for column in columns:
            key = (user_id, column.key)
            if key not in due:
                cells.append(NOT_REQUIRED)
            elif column.kind == "course":
                pair = (user_id, column.pk)
                cells.append(
                    course_cell(
                        today=today,
                        due_on=due[key],
                        completion=completions.get(pair),
                        enrolment=enrolments.get(pair),
                    )
                )
            else:
                cells.append(
                    pathway_cell(
                        today=today,
                        due_on=due[key],
                        completions=[completions.get((user_id, c)) for c in column.course_ids],
                        enrolments=[enrolments.get((user_id, c)) for c in column.course_ids],
                    )
                )
        result[user_id] = cells
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
) -> Matrix:
    """The organisation's active staff against its requirements, filtered and sorted."""
    filters = filters or MatrixFilters()
    today = today or timezone.localdate()
    columns = columns_for(organisation=organisation)
    rows = _member_rows(organisation=organisation, member_user_ids=filters.member_user_ids)
    member_count = len(rows)
    people = active_members(organisation=organisation)
    if filters.member_user_ids is not None:
        people = people.filter(user_id__in=filters.member_user_ids)
    user_ids = people.values("user_id")
    cells = cells_for(organisation=organisation, columns=columns, user_ids=user_ids, today=today)
    blank = [NOT_REQUIRED] * len(columns)
    for row in rows:
        row.cells = cells.get(row.user_id, blank)

    column_index = next((i for i, c in enumerate(columns) if c.key == filters.column), None)
    rows = [row for row in rows if _matches(row, filters, column_index)]
    rows.sort(key=_sort_key(filters, columns), reverse=filters.descending)

    totals = [Counter() for _ in columns]
    for row in rows:
        for index, cell in enumerate(row.cells):
            totals[index][cell.status] += 1
    return Matrix(
        organisation=organisation,
        today=today,
        columns=columns,
        rows=rows,
        member_count=member_count,
        totals=[dict(counter) for counter in totals],
    )


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
