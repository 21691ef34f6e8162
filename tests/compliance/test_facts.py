"""Assignments' learning facts follow the learning records, whichever way those change."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.utils import timezone

from imh_compliance.models import Assignment
from imh_compliance.selectors.matrix import compliance_matrix
from imh_compliance.services.assignments import assignments_create, rules_sync
from imh_compliance.services.facts import assignment_facts_refresh, facts_reconcile
from imh_compliance.status import Status
from imh_courses.models import CourseCompletion, Enrolment, LessonPage, Pathway, PathwayCourse
from imh_courses.services.learning import enrolment_create, lesson_complete, lesson_visit
from tests.courses.factories import create_course
from tests.factories import UserFactory
from tests.organisations.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def facts(assignment: Assignment) -> tuple:
    assignment.refresh_from_db()
    return (assignment.completed_on, assignment.valid_until, assignment.started)


def lessons(course) -> list[LessonPage]:
    return list(LessonPage.objects.live().descendant_of(course).order_by("path"))


@pytest.fixture
def setting():
    """A trust, its manager, a member, a course with a certificate and a two-course pathway."""
    org = OrganisationFactory(name="Northshire Trust")
    manager = UserFactory()
    MembershipFactory(user=manager, organisation=org, role="manager")
    member = UserFactory()
    MembershipFactory(user=member, organisation=org)
    course = create_course(
        title="Safeguarding babies", modules=1, lessons_per_module=2, slug="safeguarding"
    )
    course.certificate_validity_months = 12
    course.save_revision().publish()
    first = create_course(title="Attachment", modules=1, lessons_per_module=1, slug="attachment")
    second = create_course(title="Observation", modules=1, lessons_per_module=1, slug="observe")
    pathway = Pathway.objects.create(title="Foundations", slug="foundations")
    PathwayCourse.objects.create(pathway=pathway, course=first, sort_order=0)
    PathwayCourse.objects.create(pathway=pathway, course=second, sort_order=1)
    return org, manager, member, course, first, second, pathway


def assign(org, manager, member, item_key: str) -> Assignment:
    assignments_create(
        organisation=org,
        actor=manager,
        user_ids=[member.pk],
        item_key=item_key,
        due_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    return Assignment.objects.get(organisation=org, user=member, **_item(item_key))


def _item(item_key: str) -> dict:
    kind, pk = item_key.split(":")
    return {kind: int(pk)}


def status_of(org, member, index: int = 0) -> str:
    matrix = compliance_matrix(organisation=org, detail=False)
    return next(row for row in matrix.rows if row.user_id == member.pk).cells[index].status


class TestTheServicesKeepThemCurrent:
    """Each step goes through the learning services; the nightly check never finds drift."""

    def test_a_course_from_assignment_to_completion(self, setting):
        org, manager, member, course, *_ = setting
        assignment = assign(org, manager, member, f"course:{course.pk}")
        assert facts(assignment) == (None, None, False)  # enrolled, nothing done yet
        assert Enrolment.objects.filter(user=member, course=course, status="active").exists()

        enrolment = Enrolment.objects.get(user=member, course=course, status="active")
        assert lesson_visit(user=member, lesson=lessons(course)[0], enrolment=enrolment) == 1
        assert facts(assignment) == (None, None, True)
        assert assignment_facts_refresh() == 0
        assert status_of(org, member) == Status.IN_PROGRESS

        for lesson in lessons(course):
            lesson_complete(user=member, lesson=lesson)
        completion = CourseCompletion.objects.get(user=member, course=course)
        assert facts(assignment) == (
            timezone.localdate(completion.completed_at),
            completion.expires_on,
            False,  # no open enrolment any more
        )
        assert completion.expires_on is not None
        assert assignment_facts_refresh() == 0
        assert status_of(org, member) == Status.COMPLETED

        completion.delete()
        assert facts(assignment) == (None, None, False)
        assert assignment_facts_refresh() == 0

    def test_opening_a_lesson_page_starts_it(self, setting, client):
        org, manager, member, course, *_ = setting
        assignment = assign(org, manager, member, f"course:{course.pk}")
        client.force_login(member)
        assert client.get(lessons(course)[0].url).status_code == 200
        assert facts(assignment) == (None, None, True)
        assert status_of(org, member) == Status.IN_PROGRESS

    def test_visiting_again_sends_nothing_new(self, setting):
        org, manager, member, course, *_ = setting
        assignment = assign(org, manager, member, f"course:{course.pk}")
        enrolment = Enrolment.objects.get(user=member, course=course, status="active")
        lesson_visit(user=member, lesson=lessons(course)[0], enrolment=enrolment)
        enrolment.refresh_from_db()
        lesson_visit(user=member, lesson=lessons(course)[1], enrolment=enrolment)
        assert facts(assignment) == (None, None, True)
        assert assignment_facts_refresh() == 0

    def test_a_pathway_follows_its_courses_and_its_list(self, setting):
        org, manager, member, _, first, second, pathway = setting
        assignment = assign(org, manager, member, f"pathway:{pathway.pk}")
        assert facts(assignment) == (None, None, False)

        for lesson in lessons(first):
            lesson_complete(user=member, lesson=lesson)
        assert facts(assignment)[0] is None
        assert facts(assignment)[2] is True  # one course done: started
        assert assignment_facts_refresh() == 0

        if not Enrolment.objects.filter(user=member, course=second, status="active").exists():
            enrolment_create(user=member, course=second)
        for lesson in lessons(second):
            lesson_complete(user=member, lesson=lesson)
        today = timezone.localdate()
        assert facts(assignment) == (today, None, True)
        assert status_of(org, member) == Status.COMPLETED

        # An editor adds a third course: the pathway is no longer complete for anyone.
        third = create_course(title="Reflective practice", modules=1, slug="reflect")
        link = PathwayCourse.objects.create(pathway=pathway, course=third, sort_order=2)
        assert facts(assignment) == (None, None, True)
        assert assignment_facts_refresh() == 0
        link.delete()
        assert facts(assignment) == (today, None, True)

    def test_a_new_assignment_starts_from_what_was_done_before(self, setting):
        org, _, member, course, *_ = setting
        enrolment_create(user=member, course=course)
        for lesson in lessons(course):
            lesson_complete(user=member, lesson=lesson)
        # The organisation makes it mandatory afterwards: already met.
        assignment = Assignment.objects.create(
            organisation=org,
            user=member,
            course=course,
            source=Assignment.Source.MANAGER,
            due_on=timezone.localdate(),
        )
        completion = CourseCompletion.objects.get(user=member, course=course)
        assert (assignment.completed_on, assignment.valid_until) == (
            timezone.localdate(completion.completed_at),
            completion.expires_on,
        )
        assert facts(assignment)[0] is not None


class TestTheNightlyCheck:
    def test_corrects_what_was_written_around_the_services(self, setting, caplog):
        org, manager, member, course, *_ = setting
        assignment = assign(org, manager, member, f"course:{course.pk}")
        for lesson in lessons(course):
            lesson_complete(user=member, lesson=lesson)
        assert status_of(org, member) == Status.COMPLETED
        # A fix made in the database shell: no signal, so the facts are now stale.
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        CourseCompletion.objects.filter(user=member).update(expires_on=yesterday)
        assert status_of(org, member) == Status.COMPLETED

        with caplog.at_level(logging.WARNING, logger="imh_compliance.services.facts"):
            rules_sync()
        assert "Corrected the learning facts of 1 assignments" in caplog.text
        assert facts(assignment)[1] == yesterday
        assert status_of(org, member) == Status.EXPIRED
        assert facts_reconcile() == 0

    def test_nothing_to_check(self):
        assert assignment_facts_refresh() == 0
