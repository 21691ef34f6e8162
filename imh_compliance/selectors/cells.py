"""Cells worked out from the learning records themselves: one member's page and reminders.

``imh_compliance.status`` decides each cell; the matrix gets the same answers from the database
(``imh_compliance.selectors.facts``) when it needs them for a whole organisation.
"""

from __future__ import annotations

import datetime
import gc

from django.utils import timezone

from imh_compliance.models import Assignment
from imh_compliance.selectors.columns import Column, columns_for
from imh_compliance.status import NOT_REQUIRED, Cell, Status, course_cell, pathway_cell
from imh_courses.selectors import records
from imh_organisations.models import Organisation


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
