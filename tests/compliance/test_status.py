"""Statuses of one person against one course or pathway, at every boundary (no database)."""

from __future__ import annotations

import datetime

import pytest

from imh_compliance.status import (
    EXPIRING_WITHIN_DAYS,
    NOT_REQUIRED,
    Cell,
    Status,
    course_cell,
    pathway_cell,
)
from imh_courses.selectors.records import CompletionSummary, EnrolmentSummary

TODAY = datetime.date(2027, 3, 10)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def done(valid_until: datetime.date | None, completed_on: datetime.date | None = None):
    return CompletionSummary(last_completed_on=completed_on or days(-30), valid_until=valid_until)


STARTED = EnrolmentSummary(started=True, due_on=None)
NOT_YET_STARTED = EnrolmentSummary(started=False, due_on=None)


def course(*, due_on=None, completion=None, enrolment=None) -> Cell:
    return course_cell(today=TODAY, due_on=due_on, completion=completion, enrolment=enrolment)


def pathway(*, due_on=None, completions=(), enrolments=None) -> Cell:
    completions = list(completions)
    enrolments = list(enrolments) if enrolments is not None else [None] * len(completions)
    return pathway_cell(today=TODAY, due_on=due_on, completions=completions, enrolments=enrolments)


class TestCourseDueDates:
    def test_due_today_is_not_overdue(self):
        assert course(due_on=TODAY).status == Status.NOT_STARTED
        assert course(due_on=TODAY, enrolment=STARTED).status == Status.IN_PROGRESS

    def test_due_yesterday_is_overdue(self):
        cell = course(due_on=days(-1))
        assert cell.status == Status.OVERDUE
        assert cell.due_on == days(-1)
        # Started or not, the due date has passed.
        assert course(due_on=days(-1), enrolment=STARTED).status == Status.OVERDUE

    def test_started_or_not(self):
        assert course(due_on=days(5)).status == Status.NOT_STARTED
        assert course(due_on=days(5), enrolment=NOT_YET_STARTED).status == Status.NOT_STARTED
        assert course(due_on=days(5), enrolment=STARTED).status == Status.IN_PROGRESS

    def test_no_due_date_is_never_overdue(self):
        assert course(due_on=None).status == Status.NOT_STARTED
        assert course(due_on=None, enrolment=STARTED).status == Status.IN_PROGRESS


class TestCourseExpiry:
    def test_valid_until_today_is_still_valid(self):
        cell = course(completion=done(TODAY))
        assert cell.status == Status.EXPIRING
        assert cell.is_met

    def test_valid_until_yesterday_is_expired(self):
        cell = course(completion=done(days(-1)))
        assert cell.status == Status.EXPIRED
        assert not cell.is_met
        assert cell.valid_until == days(-1)

    def test_sixty_days_ahead_is_expiring_sixty_one_is_completed(self):
        assert EXPIRING_WITHIN_DAYS == 60
        assert course(completion=done(days(60))).status == Status.EXPIRING
        assert course(completion=done(days(61))).status == Status.COMPLETED

    def test_never_expiring_completion_is_completed_forever(self):
        cell = course(due_on=days(-400), completion=done(None, completed_on=days(-3650)))
        assert cell.status == Status.COMPLETED
        assert cell.valid_until is None
        far = course_cell(
            today=days(36500), due_on=days(-400), completion=done(None), enrolment=None
        )
        assert far.status == Status.COMPLETED

    def test_completed_late_counts_as_completed(self):
        # Completion decides while valid, even if the due date has passed.
        cell = course(due_on=days(-10), completion=done(days(300)))
        assert cell.status == Status.COMPLETED
        assert cell.completed_on == days(-30)

    def test_expired_beats_overdue(self):
        # A renewal that is under way and overdue still shows as expired.
        cell = course(due_on=days(-5), completion=done(days(-5)), enrolment=STARTED)
        assert cell.status == Status.EXPIRED


class TestPathway:
    def test_all_courses_valid_is_completed_with_earliest_expiry(self):
        cell = pathway(
            completions=[
                done(days(400), completed_on=days(-50)),
                done(None, completed_on=days(-10)),
                done(days(200), completed_on=days(-20)),
            ]
        )
        assert cell.status == Status.COMPLETED
        assert cell.valid_until == days(200)
        assert cell.completed_on == days(-10)

    def test_all_done_and_first_expiry_within_sixty_days_is_expiring(self):
        cell = pathway(completions=[done(days(400)), done(days(60))])
        assert cell.status == Status.EXPIRING
        assert cell.valid_until == days(60)

    def test_all_done_never_expiring(self):
        cell = pathway(completions=[done(None), done(None)])
        assert cell.status == Status.COMPLETED
        assert cell.valid_until is None

    def test_one_course_expired_after_all_done_is_expired(self):
        cell = pathway(due_on=days(-100), completions=[done(days(400)), done(days(-1))])
        assert cell.status == Status.EXPIRED
        assert cell.valid_until == days(-1)

    def test_some_done_is_in_progress(self):
        cell = pathway(due_on=days(10), completions=[done(days(400)), None])
        assert cell.status == Status.IN_PROGRESS

    def test_started_enrolment_is_in_progress(self):
        cell = pathway(due_on=days(10), completions=[None, None], enrolments=[None, STARTED])
        assert cell.status == Status.IN_PROGRESS
        unstarted = pathway(
            due_on=days(10), completions=[None, None], enrolments=[NOT_YET_STARTED, None]
        )
        assert unstarted.status == Status.NOT_STARTED

    def test_none_done_and_due_passed_is_overdue(self):
        assert pathway(due_on=days(-1), completions=[None, None]).status == Status.OVERDUE
        # Some done but not all, past the due date: overdue too.
        assert pathway(due_on=days(-1), completions=[done(None), None]).status == Status.OVERDUE

    def test_due_today_is_not_overdue(self):
        assert pathway(due_on=TODAY, completions=[None]).status == Status.NOT_STARTED

    def test_pathway_without_courses_is_not_started(self):
        assert pathway(due_on=days(3), completions=[]).status == Status.NOT_STARTED


class TestCellWording:
    @pytest.mark.parametrize(
        ("cell", "detail", "text", "colour"),
        [
            (
                Cell(Status.COMPLETED, valid_until=datetime.date(2027, 3, 3)),
                "valid until 3 March 2027",
                "Completed (valid until 3 March 2027)",
                "green",
            ),
            (
                Cell(Status.COMPLETED, valid_until=None),
                "does not expire",
                "Completed (does not expire)",
                "green",
            ),
            (
                Cell(Status.EXPIRING, valid_until=datetime.date(2027, 4, 1)),
                "valid until 1 April 2027",
                "Expiring soon (valid until 1 April 2027)",
                "orange",
            ),
            (
                Cell(Status.EXPIRED, valid_until=datetime.date(2026, 12, 25)),
                "expired 25 December 2026",
                "Expired (expired 25 December 2026)",
                "red",
            ),
            (
                Cell(Status.OVERDUE, due_on=datetime.date(2027, 1, 9)),
                "due 9 January 2027",
                "Overdue (due 9 January 2027)",
                "red",
            ),
            (
                Cell(Status.NOT_STARTED, due_on=datetime.date(2027, 5, 31)),
                "due 31 May 2027",
                "Not started (due 31 May 2027)",
                "grey",
            ),
            (
                Cell(Status.IN_PROGRESS, due_on=datetime.date(2027, 5, 1)),
                "due 1 May 2027",
                "In progress (due 1 May 2027)",
                "blue",
            ),
            (Cell(Status.IN_PROGRESS), "", "In progress", "blue"),
            (NOT_REQUIRED, "", "Not required", "white"),
        ],
    )
    def test_detail_and_text(self, cell, detail, text, colour):
        assert cell.detail == detail
        assert cell.text == text
        assert cell.colour == colour

    def test_met_statuses(self):
        assert {s for s in Status if Cell(s).is_met} == {Status.COMPLETED, Status.EXPIRING}

    def test_cells_from_functions_read_well(self):
        assert course(due_on=days(-1)).text == "Overdue (due 9 March 2027)"
        assert course(completion=done(TODAY)).text == "Expiring soon (valid until 10 March 2027)"
        assert course(completion=done(days(-1))).text == "Expired (expired 9 March 2027)"
