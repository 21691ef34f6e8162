"""Helpers for the reminder and digest tests: frozen days and records made directly."""

from __future__ import annotations

import datetime
from decimal import Decimal

import time_machine
from django.utils import timezone

from imh_compliance.models import Assignment
from imh_courses.models import CourseCompletion, Enrolment, Pathway

# A Wednesday.
D0 = datetime.date(2027, 3, 10)


def day(offset: int) -> datetime.date:
    return D0 + datetime.timedelta(days=offset)


def moment(date: datetime.date, hour: int = 9) -> datetime.datetime:
    """``hour`` o'clock local time on ``date``."""
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time(hour)))


def on(date: datetime.date, hour: int = 9):
    """Freeze the clock at ``hour`` o'clock local time on ``date``."""
    return time_machine.travel(moment(date, hour), tick=False)


def assign(organisation, user, item, *, due_on: datetime.date) -> Assignment:
    field = "pathway" if isinstance(item, Pathway) else "course"
    return Assignment.objects.create(
        organisation=organisation,
        user=user,
        source=Assignment.Source.MANAGER,
        due_on=due_on,
        **{field: item},
    )


def complete(user, course, *, on_date: datetime.date, expires_on=None) -> CourseCompletion:
    cycle = Enrolment.objects.filter(user=user, course=course).count() + 1
    enrolment = Enrolment.objects.create(
        user=user,
        course=course,
        status=Enrolment.Status.COMPLETED,
        enrolled_at=moment(on_date - datetime.timedelta(days=10)),
        completed_at=moment(on_date),
        cycle=cycle,
    )
    return CourseCompletion.objects.create(
        enrolment=enrolment,
        user=user,
        course=course,
        completed_at=moment(on_date),
        expires_on=expires_on,
        course_title=course.title,
        cpd_hours=Decimal("3.0"),
        imh_level=1,
    )


def enrol(user, course, *, started: bool) -> Enrolment:
    return Enrolment.objects.create(
        user=user,
        course=course,
        status=Enrolment.Status.ACTIVE,
        enrolled_at=moment(D0 - datetime.timedelta(days=30)),
        last_activity_at=moment(D0 - datetime.timedelta(days=1)) if started else None,
    )
