"""How one person stands against one mandatory course or pathway on a given day.

Pure functions of the records, so every boundary (due today, expiring in exactly 60 days,
expired yesterday) is decided in one place and tested without a database.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import NamedTuple

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from imh_courses.selectors.records import CompletionSummary, EnrolmentSummary

# A completion that runs out within this many days (inclusive) is "expiring".
EXPIRING_WITHIN_DAYS = 60


class Status(models.TextChoices):
    OVERDUE = "overdue", _("Overdue")
    EXPIRED = "expired", _("Expired")
    EXPIRING = "expiring", _("Expiring soon")
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    NOT_REQUIRED = "not_required", _("Not required")


# Worst first: the order of sorting by a column and of the totals.
SEVERITY = {status: index for index, status in enumerate(Status.values)}
# Statuses that count as meeting the requirement today.
MET = frozenset({Status.COMPLETED, Status.EXPIRING})
# Statuses that mean the requirement is not met and its time has run out.
BREACHED = frozenset({Status.OVERDUE, Status.EXPIRED})
# Statuses that a reminder to the member is about.
OUTSTANDING = frozenset({Status.OVERDUE, Status.EXPIRED, Status.NOT_STARTED, Status.IN_PROGRESS})

# NHS.UK tag colours for each status.
TAG_COLOURS = {
    Status.OVERDUE: "red",
    Status.EXPIRED: "red",
    Status.EXPIRING: "orange",
    Status.NOT_STARTED: "grey",
    Status.IN_PROGRESS: "blue",
    Status.COMPLETED: "green",
    Status.NOT_REQUIRED: "white",
}


_LABELS = dict(Status.choices)


class Cell(NamedTuple):
    """Where one person stands against one requirement (a tuple: cheap to make by the 50,000)."""

    status: str
    due_on: datetime.date | None = None
    valid_until: datetime.date | None = None
    completed_on: datetime.date | None = None

    @property
    def label(self) -> str:
        return str(_LABELS[self.status])

    @property
    def colour(self) -> str:
        return TAG_COLOURS[self.status]

    @property
    def is_met(self) -> bool:
        return self.status in MET

    @property
    def detail(self) -> str:
        """The date that matters for this status, in words: "valid until 3 March 2027"."""
        if self.status in MET:
            if self.valid_until is None:
                return gettext("does not expire")
            return gettext("valid until %(date)s") % {"date": _date(self.valid_until)}
        if self.status == Status.EXPIRED and self.valid_until is not None:
            return gettext("expired %(date)s") % {"date": _date(self.valid_until)}
        if self.status in (Status.OVERDUE, Status.NOT_STARTED, Status.IN_PROGRESS) and (
            self.due_on is not None
        ):
            return gettext("due %(date)s") % {"date": _date(self.due_on)}
        return ""

    @property
    def text(self) -> str:
        """Status and detail, as exports write it: "Completed (valid until 3 March 2027)"."""
        if not self.detail:
            return self.label
        return gettext("%(status)s (%(detail)s)") % {"status": self.label, "detail": self.detail}


NOT_REQUIRED = Cell(Status.NOT_REQUIRED)


def _date(value: datetime.date) -> str:
    # Month names in the active language.
    return date_format(value, "j F Y")


def _met_or_expired(
    *,
    today: datetime.date,
    due_on: datetime.date | None,
    completed_on: datetime.date,
    valid_until: datetime.date | None,
) -> Cell:
    if valid_until is not None and valid_until < today:
        status = Status.EXPIRED
    elif valid_until is not None and (valid_until - today).days <= EXPIRING_WITHIN_DAYS:
        status = Status.EXPIRING
    else:
        status = Status.COMPLETED
    return Cell(status, due_on=due_on, valid_until=valid_until, completed_on=completed_on)


def _unmet(*, today: datetime.date, due_on: datetime.date | None, started: bool) -> Cell:
    if due_on is not None and due_on < today:
        return Cell(Status.OVERDUE, due_on=due_on)
    return Cell(Status.IN_PROGRESS if started else Status.NOT_STARTED, due_on=due_on)


def course_cell(
    *,
    today: datetime.date,
    due_on: datetime.date | None,
    completion: CompletionSummary | None,
    enrolment: EnrolmentSummary | None,
) -> Cell:
    """The status of an assigned course.

    A completion decides it while it is valid, and makes it "expired" once it runs out (even
    while a renewal is under way, as inspectors count it). Without one, the due date decides
    between overdue and not started / in progress. A completion valid until a date is still
    valid on that date.
    """
    if completion is not None:
        return _met_or_expired(
            today=today,
            due_on=due_on,
            completed_on=completion.last_completed_on,
            valid_until=completion.valid_until,
        )
    return _unmet(today=today, due_on=due_on, started=enrolment is not None and enrolment.started)


def pathway_cell(
    *,
    today: datetime.date,
    due_on: datetime.date | None,
    completions: Sequence[CompletionSummary | None],
    enrolments: Sequence[EnrolmentSummary | None],
) -> Cell:
    """The status of an assigned pathway, from the statuses of its courses (in order).

    It is met when every course is; it is valid until its first course runs out, and expired
    when every course has been completed but one has run out since.
    """
    if completions and all(c is not None for c in completions):
        valid_untils = [c.valid_until for c in completions if c.valid_until is not None]
        return _met_or_expired(
            today=today,
            due_on=due_on,
            completed_on=max(c.last_completed_on for c in completions),
            valid_until=min(valid_untils) if valid_untils else None,
        )
    started = any(c is not None for c in completions) or any(
        e is not None and e.started for e in enrolments
    )
    return _unmet(today=today, due_on=due_on, started=started)
