"""Keeping each assignment's learning facts in step with the learning records.

An assignment carries what its status is decided from: when the course (or every course of
the pathway) was completed, until when that is valid, and whether it has been started. The
statuses themselves depend on the day, so they are still worked out when read, but from one
table: the dashboard of 5,000 staff no longer joins tens of thousands of completions and
enrolments on every request.

The facts are worked out here, from the same summaries of the learning records that
``imh_compliance.status`` reads, and written only where they changed. They are refreshed:

- for the person and course concerned, whenever a completion, an enrolment or a pathway's
  list of courses is saved or deleted, or an enrolment is started (``imh_compliance.receivers``),
  inside the same transaction;
- for a new assignment, as it is made;
- for everyone, every night (``rules_sync``), which corrects anything written around the
  services (a bulk import, a fix in the database shell) and logs how many it corrected.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from imh_compliance.models import Assignment
from imh_courses.models import PathwayCourse
from imh_courses.selectors.records import (
    CompletionSummary,
    completion_summaries,
    open_enrolment_summaries,
    pathway_course_ids,
)

logger = logging.getLogger(__name__)

FACT_FIELDS = ["completed_on", "valid_until", "started"]
BATCH = 2000


@dataclass(frozen=True, slots=True)
class Facts:
    completed_on: datetime.date | None
    valid_until: datetime.date | None
    started: bool


def _facts(completions: list[CompletionSummary | None], started: bool, *, pathway: bool) -> Facts:
    """The facts of one requirement from the summaries of its courses (one for a course)."""
    if completions and all(c is not None for c in completions):
        expiries = [c.valid_until for c in completions if c.valid_until is not None]
        return Facts(
            completed_on=max(c.last_completed_on for c in completions),
            valid_until=min(expiries) if expiries else None,
            started=started or pathway,
        )
    return Facts(
        completed_on=None,
        valid_until=None,
        started=started or (pathway and any(c is not None for c in completions)),
    )


def assignment_facts_refresh(*, assignments: QuerySet[Assignment] | None = None) -> int:
    """Bring the facts of ``assignments`` (all of them when None) up to date.

    Reads the learning records of the people concerned in three queries, and writes only
    the assignments whose facts changed. Returns how many changed.
    """
    queryset = Assignment.objects.all() if assignments is None else assignments
    rows = list(
        queryset.order_by().values_list("pk", "user_id", "course_id", "pathway_id", *FACT_FIELDS)
    )
    if not rows:
        return 0
    pathways = pathway_course_ids(pathway_ids={row[3] for row in rows if row[3] is not None})
    course_ids = {row[2] for row in rows if row[2] is not None}
    course_ids.update(course_id for ids in pathways.values() for course_id in ids)
    # Few people: their ids; everyone: a subquery, so thousands of ids never travel.
    user_ids: QuerySet | Iterable[int] = (
        queryset.order_by().values("user_id") if len(rows) > BATCH else {row[1] for row in rows}
    )
    completions = completion_summaries(user_ids=user_ids, course_ids=course_ids)
    enrolments = open_enrolment_summaries(user_ids=user_ids, course_ids=course_ids)

    changed = []
    for pk, user_id, course_id, pathway_id, completed_on, valid_until, started in rows:
        courses = [course_id] if course_id is not None else pathways.get(pathway_id, [])
        enrolled = [enrolments.get((user_id, course)) for course in courses]
        facts = _facts(
            [completions.get((user_id, course)) for course in courses],
            any(e is not None and e.started for e in enrolled),
            pathway=course_id is None,
        )
        if facts != Facts(completed_on, valid_until, started):
            changed.append(
                Assignment(
                    pk=pk,
                    completed_on=facts.completed_on,
                    valid_until=facts.valid_until,
                    started=facts.started,
                )
            )
    if changed:
        Assignment.objects.bulk_update(changed, FACT_FIELDS, batch_size=BATCH)
    return len(changed)


def facts_refresh_for(*, user_id: int, course_id: int) -> int:
    """Refresh the assignments of one person that a change to one course can touch."""
    in_pathways = PathwayCourse.objects.filter(course_id=course_id).values("pathway_id")
    return assignment_facts_refresh(
        assignments=Assignment.objects.filter(user_id=user_id).filter(
            Q(course_id=course_id) | Q(pathway_id__in=in_pathways)
        )
    )


def facts_refresh_for_pathway(*, pathway_id: int) -> int:
    """Refresh every assignment of a pathway whose list of courses changed."""
    return assignment_facts_refresh(assignments=Assignment.objects.filter(pathway_id=pathway_id))


def facts_reconcile() -> int:
    """Check every assignment's facts against the learning records; correct and log drift.

    Nothing should ever be found: the receivers keep the facts current. Anything found was
    written around the services, and is corrected before the morning.
    """
    corrected = assignment_facts_refresh()
    if corrected:
        logger.warning("Corrected the learning facts of %s assignments", corrected)
    return corrected
