"""Assignments: on joining, by managers (with everything checked first), and renewals."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from imh_accounts.choices import ProfessionalRole
from imh_compliance.models import Assignment, MandatoryRule
from imh_compliance.services.assignments import (
    AssignmentOutcome,
    assignments_create,
    member_assign_mandatory,
    renewals_assign,
)
from imh_compliance.tasks.assignments import renewals_assign_task
from imh_courses.models import CourseCompletion, Enrolment
from imh_courses.services.learning import enrolment_create, lesson_complete
from imh_organisations import services as organisation_services
from imh_organisations.models import Membership
from tests.courses.factories import create_course, lessons_of
from tests.factories import UserFactory
from tests.organisations.factories import InvitationFactory

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 2)


@pytest.fixture
def frozen_today():
    with time_machine.travel(NOON, tick=False):
        yield


def complete(user, course):
    """``user`` completes ``course`` now (enrolling themselves if they need to)."""
    enrolment = Enrolment.objects.filter(user=user, course=course, status="active").first()
    if enrolment is None:
        enrolment_create(user=user, course=course)
    for lesson in lessons_of(course):
        lesson_complete(user=user, lesson=lesson)
    return CourseCompletion.objects.filter(user=user, course=course).latest("completed_at")


def rule_for(organisation, item, *, roles=(), due=30, renewal=60, actor=None):
    kind = "pathway" if item.__class__.__name__ == "Pathway" else "course"
    return MandatoryRule.objects.create(
        organisation=organisation,
        roles=list(roles),
        due_within_days=due,
        renewal_days_before_expiry=renewal,
        created_by=actor,
        **{kind: item},
    )


def courses_of(pathway):
    return [link.course for link in pathway.pathway_courses.order_by("sort_order")]


@pytest.fixture
def prerequisite(course):
    """A course that ``course`` requires first."""
    first = create_course(title="Understanding babies' cues", modules=1, lessons_per_module=1)
    course.prerequisites.add(first)
    course.save()
    return first


@pytest.mark.usefixtures("frozen_today")
class TestOnJoining:
    @pytest.fixture
    def newcomer(self):
        user = UserFactory(first_name="Jo", last_name="Newcomer")
        from tests.accounts.factories import ProfileFactory

        ProfileFactory(user=user, full_name="Jo Newcomer")
        return user

    def test_approval_assigns_the_rules_for_their_role(
        self, organisation, manager, newcomer, course, pathway
    ):
        rule_for(organisation, course, roles=["midwife"], due=14, actor=manager)
        rule_for(organisation, pathway, roles=["health_visitor"], actor=manager)
        pending = Membership.objects.create(
            organisation=organisation, user=newcomer, status="pending", source="join_code"
        )
        organisation_services.membership_approve(membership=pending, actor=manager)
        assignment = Assignment.objects.get(user=newcomer)
        assert assignment.course == course
        assert assignment.due_on == TODAY + datetime.timedelta(days=14)
        enrolment = Enrolment.objects.get(user=newcomer)
        assert (enrolment.course, enrolment.assigned_by) == (course, manager)

    def test_accepting_an_invitation_assigns(self, organisation, manager, newcomer, course):
        rule_for(organisation, course, actor=manager)
        invitation = InvitationFactory(
            organisation=organisation, email=newcomer.email, invited_by=manager
        )
        organisation_services.invitation_accept(token=invitation.token, user=newcomer)
        assert Assignment.objects.filter(user=newcomer, course=course).exists()

    def test_being_added_by_an_administrator_assigns(self, organisation, manager, newcomer, course):
        rule_for(organisation, course, actor=manager)
        organisation_services.membership_create_active(organisation=organisation, user=newcomer)
        assert Assignment.objects.filter(user=newcomer, course=course).exists()

    def test_a_rejoiner_keeps_their_assignment_as_it_was(
        self, organisation, manager, newcomer, course
    ):
        rule_for(organisation, course, due=14, actor=manager)
        membership = organisation_services.membership_create_active(
            organisation=organisation, user=newcomer
        )
        organisation_services.membership_leave(membership=membership, actor=newcomer)
        with time_machine.travel(NOON + datetime.timedelta(days=100), tick=False):
            organisation_services.membership_create_active(organisation=organisation, user=newcomer)
        assignment = Assignment.objects.get(user=newcomer)
        assert assignment.due_on == TODAY + datetime.timedelta(days=14)

    def test_a_missing_prerequisite_never_stops_the_join(
        self, organisation, manager, newcomer, course, prerequisite
    ):
        rule_for(organisation, course, actor=manager)
        membership = organisation_services.membership_create_active(
            organisation=organisation, user=newcomer
        )
        assert membership.status == Membership.Status.ACTIVE
        assignment = Assignment.objects.get(user=newcomer)
        assert "must complete “Understanding babies' cues”" in assignment.enrolment_problem
        assert not Enrolment.objects.filter(user=newcomer).exists()

    def test_another_organisations_rules_do_not_apply(
        self, organisation, other_organisation, other_manager, newcomer, course
    ):
        rule_for(other_organisation, course, actor=other_manager)
        organisation_services.membership_create_active(organisation=organisation, user=newcomer)
        assert not Assignment.objects.exists()

    def test_a_pending_membership_gets_nothing(self, organisation, newcomer, course):
        rule_for(organisation, course)
        pending = Membership.objects.create(
            organisation=organisation, user=newcomer, status="pending"
        )
        assert member_assign_mandatory(membership=pending) == []


@pytest.mark.usefixtures("frozen_today")
class TestPathways:
    def test_every_course_is_enrolled(self, organisation, manager, staff, pathway):
        rule_for(organisation, pathway, actor=manager)
        member_assign_mandatory(membership=staff.organisation_memberships.get())
        assert {e.course_id for e in Enrolment.objects.filter(user=staff)} == {
            c.pk for c in courses_of(pathway)
        }

    def test_a_course_waiting_for_an_earlier_one_follows_it(
        self, organisation, manager, staff, pathway, django_capture_on_commit_callbacks
    ):
        first, second = courses_of(pathway)
        second.prerequisites.add(first)
        second.save()
        rule_for(organisation, pathway, actor=manager)
        (assignment,) = member_assign_mandatory(membership=staff.organisation_memberships.get())
        assert assignment.enrolment_problem == ""
        assert [e.course for e in Enrolment.objects.filter(user=staff)] == [first]
        with django_capture_on_commit_callbacks(execute=True):
            complete(staff, first)
        assert Enrolment.objects.get(user=staff, course=second, status="active").due_on == (
            assignment.due_on
        )

    def test_a_completed_course_is_not_taken_again(self, organisation, manager, staff, pathway):
        first, second = courses_of(pathway)
        complete(staff, first)
        rule_for(organisation, pathway, actor=manager)
        member_assign_mandatory(membership=staff.organisation_memberships.get())
        assert list(
            Enrolment.objects.filter(user=staff, status="active").values_list("course", flat=True)
        ) == [second.pk]


@pytest.mark.usefixtures("frozen_today")
class TestManagersAssign:
    def call(self, organisation, manager, user_ids, item_key, due_on=TODAY):
        return assignments_create(
            organisation=organisation,
            actor=manager,
            user_ids=user_ids,
            item_key=item_key,
            due_on=due_on,
        )

    def test_assigns_and_enrols_by_the_due_date(self, organisation, manager, staff, member, course):
        other = member()
        due = datetime.date(2026, 4, 30)
        outcome = self.call(
            organisation, manager, [staff.pk, str(other.user_id)], f"course:{course.pk}", due
        )
        assert outcome == AssignmentOutcome(assigned=2, updated=0, problems=[])
        for user in (staff, other.user):
            assignment = Assignment.objects.get(user=user, course=course)
            assert (assignment.source, assignment.assigned_by, assignment.due_on) == (
                Assignment.Source.MANAGER,
                manager,
                due,
            )
            enrolment = Enrolment.objects.get(user=user, course=course)
            assert (enrolment.assigned_by, enrolment.due_on) == (manager, due)

    def test_assigning_again_moves_the_due_date_and_takes_over_a_rules(
        self, organisation, manager, staff, course
    ):
        rule = rule_for(organisation, course, actor=manager)
        member_assign_mandatory(membership=staff.organisation_memberships.get())
        outcome = self.call(
            organisation, manager, [staff.pk], f"course:{course.pk}", datetime.date(2026, 3, 9)
        )
        assert (outcome.assigned, outcome.updated) == (0, 1)
        assignment = Assignment.objects.get(user=staff)
        assert assignment.source == Assignment.Source.MANAGER
        assert assignment.rule == rule
        assert assignment.due_on == datetime.date(2026, 3, 9)
        assert Enrolment.objects.get(user=staff).due_on == datetime.date(2026, 3, 9)

    def test_a_pathway_enrols_on_its_courses(self, organisation, manager, staff, pathway):
        outcome = self.call(organisation, manager, [staff.pk], f"pathway:{pathway.pk}")
        assert outcome.assigned == 1
        assert Assignment.objects.get(user=staff).pathway == pathway
        assert Enrolment.objects.filter(user=staff).count() == 2

    def test_a_missing_prerequisite_is_reported_and_the_assignment_stands(
        self, organisation, manager, staff, course, prerequisite
    ):
        outcome = self.call(organisation, manager, [staff.pk], f"course:{course.pk}")
        assert outcome.assigned == 1
        (problem,) = outcome.problems
        assert problem.startswith("Sam Midwife: ")
        assert "must complete “Understanding babies' cues” before they can start" in problem
        assignment = Assignment.objects.get(user=staff)
        assert assignment.enrolment_problem == problem.removeprefix("Sam Midwife: ")
        assert not Enrolment.objects.filter(user=staff).exists()

    def test_a_course_done_that_never_expires_is_simply_met(self, organisation, manager, staff):
        lasting = create_course(title="Lasting course", modules=1, lessons_per_module=1)
        complete(staff, lasting)
        outcome = self.call(organisation, manager, [staff.pk], f"course:{lasting.pk}")
        assert outcome == AssignmentOutcome(assigned=1, updated=0, problems=[])
        assert Assignment.objects.get(user=staff).enrolment_problem == ""

    def test_a_due_date_in_the_past_changes_nothing(self, organisation, manager, staff, course):
        with pytest.raises(ValidationError) as caught:
            self.call(
                organisation, manager, [staff.pk], f"course:{course.pk}", datetime.date(2026, 3, 1)
            )
        assert caught.value.message_dict == {"due_on": ["The due date must be today or later."]}
        assert not Assignment.objects.exists()
        assert not Enrolment.objects.exists()

    def test_someone_from_another_organisation_changes_nothing_and_is_not_named(
        self, organisation, other_organisation, manager, staff, member, course
    ):
        outsider = member(organisation=other_organisation, name="Olive Outsider")
        with pytest.raises(ValidationError) as caught:
            self.call(organisation, manager, [staff.pk, outsider.user_id], f"course:{course.pk}")
        assert caught.value.message_dict == {"members": ["Choose staff from your organisation."]}
        assert "Olive" not in str(caught.value)
        assert not Assignment.objects.exists()
        assert not Enrolment.objects.exists()

    def test_a_member_who_has_left_is_refused(self, organisation, manager, staff, course):
        membership = staff.organisation_memberships.get()
        membership.status = Membership.Status.LEFT
        membership.save()
        with pytest.raises(ValidationError) as caught:
            self.call(organisation, manager, [staff.pk], f"course:{course.pk}")
        assert "members" in caught.value.message_dict
        assert not Assignment.objects.exists()

    @pytest.mark.parametrize("ids", [[], ["abc"], None])
    def test_no_or_unreadable_selection_is_refused(self, organisation, manager, course, ids):
        with pytest.raises(ValidationError) as caught:
            self.call(organisation, manager, ids, f"course:{course.pk}")
        assert "members" in caught.value.message_dict
        assert not Assignment.objects.exists()

    def test_an_unknown_item_and_a_missing_date_are_reported_together(
        self, organisation, manager, staff
    ):
        with pytest.raises(ValidationError) as caught:
            self.call(organisation, manager, [staff.pk], "course:999999", None)
        assert caught.value.message_dict == {
            "item_key": ["Choose a course or pathway from the list."],
            "due_on": ["Enter a due date."],
        }
        assert not Assignment.objects.exists()

    @pytest.mark.parametrize("who", ["staff", "other_manager"])
    def test_only_a_manager_of_the_organisation(self, request, organisation, staff, course, who):
        with pytest.raises(PermissionDenied):
            self.call(organisation, request.getfixturevalue(who), [staff.pk], f"course:{course.pk}")
        assert not Assignment.objects.exists()


class TestRenewals:
    """``course`` is valid for 12 months: completed 10 January 2026, it expires 10 January 2027."""

    COMPLETED = datetime.datetime(2026, 1, 10, 12, tzinfo=datetime.UTC)
    EXPIRES = datetime.date(2027, 1, 10)

    @pytest.fixture
    def completed(self, organisation, manager, staff, course):
        rule_for(organisation, course, roles=["midwife"], renewal=60, actor=manager)
        with time_machine.travel(self.COMPLETED, tick=False):
            member_assign_mandatory(membership=staff.organisation_memberships.get())
            completion = complete(staff, course)
        assert completion.expires_on == self.EXPIRES
        return completion

    def at(self, day: datetime.date):
        return time_machine.travel(
            datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC), tick=False
        )

    def test_nothing_before_the_window(self, completed, staff):
        with self.at(self.EXPIRES - datetime.timedelta(days=61)):
            assert renewals_assign() == 0
        assert not Enrolment.objects.filter(user=staff, status="active").exists()

    def test_enrolled_again_on_the_first_day_of_the_window(self, completed, staff, course, manager):
        with self.at(self.EXPIRES - datetime.timedelta(days=60)):
            assert renewals_assign() == 1
            assert renewals_assign() == 0
        renewal = Enrolment.objects.get(user=staff, status="active")
        assert (renewal.course, renewal.cycle, renewal.due_on, renewal.assigned_by) == (
            course,
            2,
            self.EXPIRES,
            manager,
        )
        assert Assignment.objects.get(user=staff).due_on == self.EXPIRES

    def test_an_expired_certificate_is_renewed_without_a_past_due_date(self, completed, staff):
        with self.at(self.EXPIRES + datetime.timedelta(days=3)):
            assert renewals_assign_task.enqueue().return_value == "renewals 1"
        renewal = Enrolment.objects.get(user=staff, status="active")
        assert renewal.due_on is None
        assert Assignment.objects.get(user=staff).due_on == self.EXPIRES

    def test_the_daily_command_renews(self, completed, staff):
        out = StringIO()
        with self.at(self.EXPIRES - datetime.timedelta(days=30)):
            call_command("compliance_assign_mandatory", stdout=out)
        assert out.getvalue().strip() == "Made 0 new assignments and 1 renewal enrolment."

    def test_an_inactive_rule_renews_nobody(self, completed, staff):
        MandatoryRule.objects.update(is_active=False)
        with self.at(self.EXPIRES - datetime.timedelta(days=10)):
            assert renewals_assign() == 0

    def test_a_member_who_left_is_not_renewed(self, completed, staff):
        staff.organisation_memberships.update(status=Membership.Status.LEFT)
        with self.at(self.EXPIRES - datetime.timedelta(days=10)):
            assert renewals_assign() == 0

    def test_a_course_that_never_expires_is_never_renewed(self, organisation, manager, staff):
        lasting = create_course(title="Lasting course", modules=1, lessons_per_module=1)
        rule_for(organisation, lasting, renewal=365, actor=manager)
        member_assign_mandatory(membership=staff.organisation_memberships.get())
        complete(staff, lasting)
        with self.at(datetime.date(2040, 1, 1)):
            assert renewals_assign() == 0


def test_profile_role_none_matches_only_rules_for_everyone(organisation, manager, member, course):
    nobody = member(role="")
    rule_for(organisation, course, roles=[ProfessionalRole.MIDWIFE], actor=manager)
    assert member_assign_mandatory(membership=nobody) == []
    everyone = create_course(title="For everyone", modules=1, lessons_per_module=1)
    rule_for(organisation, everyone, actor=manager)
    assert [a.course for a in member_assign_mandatory(membership=nobody)] == [everyone]
