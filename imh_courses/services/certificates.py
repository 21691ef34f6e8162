"""The hand-over to certificates: what a course or pathway certificate states.

Courses decides completion and records a snapshot (``CourseCompletion``); when the
completion commits (``course_completed``), the certificate is issued from that snapshot plus
the competencies the course page is mapped to. A pathway certificate is issued once the
person's pathway completion is recorded (in the same transaction as the completion of its
last course). Issuing is idempotent, so calling these again changes nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from imh_certificates.models import Certificate
from imh_certificates.services import certificate_issue
from imh_competencies.selectors import page_competencies
from imh_courses.models import CourseCompletion, PathwayCompletion

UK = ZoneInfo("Europe/London")


def _uk_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(UK).date()


def _competencies(course_ids: list[int]) -> list[dict[str, Any]]:
    """The competencies these course pages are mapped to, each once at its highest level."""
    best: dict[int, Any] = {}
    for mapping in page_competencies(page_ids=course_ids).order_by("page_id", "sort_order"):
        current = best.get(mapping.competency_id)
        if current is None or mapping.level > current.level:
            best[mapping.competency_id] = mapping
    return [
        {
            "framework": str(mapping.competency.framework),
            "code": mapping.competency.code,
            "name": mapping.competency.short_name,
            "level": mapping.level,
            "level_label": mapping.competency.framework.level_label(mapping.level),
        }
        for mapping in best.values()
    ]


def _sessions(completions: list[CourseCompletion]) -> list[dict[str, str]]:
    sessions = [
        {"title": session["title"], "date": session["date"]}
        for completion in completions
        for session in completion.sessions_attended or []
    ]
    return sorted(sessions, key=lambda session: session["date"])


def course_certificate_issue(*, completion: CourseCompletion) -> Certificate:
    """The certificate for a course completion, then for any pathway it completed."""
    certificate = certificate_issue(
        holder=completion.user,
        kind=Certificate.Kind.COURSE,
        source=completion,
        title=completion.course_title,
        cpd_hours=completion.cpd_hours,
        completed_on=_uk_date(completion.completed_at),
        expires_on=completion.expires_on,
        competencies=_competencies([completion.course_id]),
        sessions=_sessions([completion]),
    )
    pathway_completions = PathwayCompletion.objects.filter(
        user_id=completion.user_id, pathway__pathway_courses__course_id=completion.course_id
    ).select_related("pathway", "user")
    for pathway_completion in pathway_completions.distinct():
        pathway_certificate_issue(completion=pathway_completion)
    return certificate


def pathway_certificate_issue(*, completion: PathwayCompletion) -> Certificate:
    """The certificate for a pathway completion: its title, and the hours of its courses.

    Hours, competencies and sessions come from the person's latest completion of each course
    in the pathway. A pathway certificate does not expire: it records that the pathway was
    completed; each course certificate carries its own expiry.
    """
    pathway = completion.pathway
    course_ids = list(
        pathway.pathway_courses.order_by("sort_order").values_list("course_id", flat=True)
    )
    latest: dict[int, CourseCompletion] = {}
    for course_completion in CourseCompletion.objects.filter(
        user_id=completion.user_id, course_id__in=course_ids
    ).order_by("course_id", "-completed_at"):
        latest.setdefault(course_completion.course_id, course_completion)
    completions = [latest[course_id] for course_id in course_ids if course_id in latest]
    return certificate_issue(
        holder=completion.user,
        kind=Certificate.Kind.PATHWAY,
        source=completion,
        title=pathway.title,
        cpd_hours=sum((c.cpd_hours for c in completions), Decimal("0")),
        completed_on=_uk_date(completion.completed_at),
        competencies=_competencies(course_ids),
        sessions=_sessions(completions),
    )


def certificates_issue_missing() -> int:
    """Issue the certificate of every course and pathway completion that has none.

    Issuing happens just after a completion commits; if that failed (a database outage at
    the wrong moment), this catches up. Safe to run any time: issuing is idempotent.
    """
    issued = 0
    for model, issue in (
        (CourseCompletion, course_certificate_issue),
        (PathwayCompletion, pathway_certificate_issue),
    ):
        certified = Certificate.objects.filter(source_type=model._meta.label_lower).values(
            "source_id"
        )
        for completion in model.objects.exclude(pk__in=certified).order_by("pk").iterator():
            issue(completion=completion)
            issued += 1
    return issued
