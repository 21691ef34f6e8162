"""The due date an employer sets reaches the trainee: My learning, the course page and the
member record's courses table all show it, with "Overdue" once it has passed, whoever enrolled
the trainee first."""

from __future__ import annotations

import datetime
import html as html_lib
import re

import pytest
import time_machine
from django.urls import reverse

from imh_accounts.choices import ProfessionalRole
from imh_compliance.models import Assignment
from imh_compliance.services.assignments import assignments_create
from imh_compliance.services.rules import rule_create
from imh_courses.models import Enrolment, Pathway, PathwayCourse
from imh_courses.services.learning import enrolment_create
from tests.accounts.factories import ProfileFactory
from tests.courses.factories import create_course
from tests.organisations.factories import (
    ManagerMembershipFactory,
    MembershipFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 12, 5, 12, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 12, 5)


def text(html: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Riverside NHS Trust")


@pytest.fixture
def manager(organisation):
    return ManagerMembershipFactory(organisation=organisation).user


@pytest.fixture
def membership(organisation):
    membership = MembershipFactory(organisation=organisation)
    ProfileFactory(
        user=membership.user, full_name="Sam Midwife", professional_role=ProfessionalRole.MIDWIFE
    )
    return membership


@pytest.fixture
def trainee(membership):
    return membership.user


@pytest.fixture
def course():
    return create_course(title="Safeguarding babies", modules=1, lessons_per_module=2)


def make_mandatory(organisation, manager, item, *, days, on_commit, kind="course"):
    """The manager makes ``item`` mandatory for midwives, due ``days`` from today."""
    with on_commit(execute=True):
        return rule_create(
            organisation=organisation,
            actor=manager,
            item_key=f"{kind}:{item.pk}",
            roles=[ProfessionalRole.MIDWIFE],
            due_within_days=days,
            renewal_days_before_expiry=60,
        )


def test_a_course_enrolled_on_before_it_was_made_mandatory_shows_the_employers_due_date(
    client, organisation, manager, membership, trainee, course, django_capture_on_commit_callbacks
):
    enrolment_create(user=trainee, course=course)  # the trainee chose it themselves

    make_mandatory(
        organisation, manager, course, days=90, on_commit=django_capture_on_commit_callbacks
    )

    assignment = Assignment.objects.get(user=trainee, course=course)
    assert assignment.due_on == datetime.date(2027, 3, 5)
    enrolment = Enrolment.objects.get(user=trainee, course=course, status="active")
    assert enrolment.due_on == assignment.due_on
    assert enrolment.source == Enrolment.Source.ASSIGNED

    client.force_login(trainee)
    learning = text(client.get(reverse("imh_courses:my_learning")).content.decode())
    assigned = learning.split("Assigned to you")[1].split("In progress")[0]
    assert "Safeguarding babies 5 March 2027" in assigned
    assert "No due date" not in learning

    record = text(
        client.get(reverse("imh_compliance:my_record", args=[membership.pk])).content.decode()
    )
    courses_table = record.split("Courses")[-1]
    assert "Due 5 March 2027" in courses_table
    assert "No due date" not in record

    assert "Complete it by 5 March 2027." in text(client.get(course.url).content.decode())


def test_and_once_it_passes_it_is_overdue(
    client, organisation, manager, trainee, course, django_capture_on_commit_callbacks
):
    enrolment_create(user=trainee, course=course)
    make_mandatory(
        organisation, manager, course, days=30, on_commit=django_capture_on_commit_callbacks
    )
    with time_machine.travel(NOON + datetime.timedelta(days=31), tick=False):
        client.force_login(trainee)
        learning = text(client.get(reverse("imh_courses:my_learning")).content.decode())
        course_page = text(client.get(course.url).content.decode())
    assert "Safeguarding babies 4 January 2027 Overdue" in learning
    assert "Overdue It was due by 4 January 2027." in course_page


def test_the_earliest_employer_date_wins(
    organisation, manager, trainee, course, django_capture_on_commit_callbacks
):
    """A pathway due in a year enrols the trainee first; a rule for one of its courses, due
    sooner, brings that course's date forward (and a later date never pushes it back)."""
    pathway = Pathway.objects.create(title="Midwives' pathway", slug="midwives")
    PathwayCourse.objects.create(pathway=pathway, course=course, sort_order=1)
    make_mandatory(
        organisation,
        manager,
        pathway,
        days=365,
        kind="pathway",
        on_commit=django_capture_on_commit_callbacks,
    )
    enrolment = Enrolment.objects.get(user=trainee, course=course)
    assert enrolment.due_on == TODAY + datetime.timedelta(days=365)

    make_mandatory(
        organisation, manager, course, days=90, on_commit=django_capture_on_commit_callbacks
    )
    enrolment.refresh_from_db()
    assert enrolment.due_on == TODAY + datetime.timedelta(days=90)


def test_a_manager_assigning_again_still_sets_the_date_they_chose(
    organisation, manager, trainee, course
):
    enrolment_create(user=trainee, course=course)
    assignments_create(
        organisation=organisation,
        actor=manager,
        user_ids=[trainee.pk],
        item_key=f"course:{course.pk}",
        due_on=TODAY + datetime.timedelta(days=10),
    )
    enrolment = Enrolment.objects.get(user=trainee, course=course)
    assert enrolment.due_on == TODAY + datetime.timedelta(days=10)


def test_an_enrolment_made_after_the_date_has_passed_still_carries_it(
    client, organisation, manager, trainee, course, django_capture_on_commit_callbacks
):
    """The nightly sync enrols someone whose requirement is already overdue (their enrolment
    was removed, or nobody managed the organisation on the day): they see the date, overdue,
    not "No due date" beside a member record that says overdue."""
    make_mandatory(
        organisation, manager, course, days=30, on_commit=django_capture_on_commit_callbacks
    )
    # As the rule leaves it when the enrolment cannot be made on the day.
    Enrolment.objects.filter(user=trainee, course=course).delete()
    Assignment.objects.filter(user=trainee, course=course).update(
        enrolment_problem="Nobody manages Riverside NHS Trust at the moment."
    )

    later = NOON + datetime.timedelta(days=31)
    with time_machine.travel(later, tick=False):
        from imh_compliance.services.assignments import rules_sync

        with django_capture_on_commit_callbacks(execute=True):
            rules_sync()
        enrolment = Enrolment.objects.get(user=trainee, course=course, status="active")
        client.force_login(trainee)
        learning = text(client.get(reverse("imh_courses:my_learning")).content.decode())

    assert enrolment.due_on == datetime.date(2027, 1, 4)
    assert "Safeguarding babies 4 January 2027 Overdue" in learning
    assert "No due date" not in learning


def test_a_person_cannot_pick_a_due_date_in_the_past(manager, trainee, course):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="today or later"):
        enrolment_create(
            user=trainee, course=course, assigned_by=manager, due_on=TODAY - datetime.timedelta(1)
        )
