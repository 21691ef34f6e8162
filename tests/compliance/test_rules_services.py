"""Mandatory rules: who may make them, what they refuse, and who they assign (and when)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from imh_accounts.choices import ProfessionalRole
from imh_compliance.models import Assignment, MandatoryRule
from imh_compliance.services.assignments import rule_apply, rules_sync
from imh_compliance.services.rules import rule_create, rule_deactivate, rule_update
from imh_compliance.tasks.assignments import rule_apply_task, rules_sync_task
from imh_courses.models import Enrolment
from imh_organisations.models import Membership
from tests.courses.factories import create_course

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)
NOON = datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC)


@pytest.fixture
def frozen_today():
    with time_machine.travel(NOON, tick=False):
        yield


def make_rule(organisation, item, *, roles=(), due=30, renewal=60, actor=None, active=True):
    """A rule written straight to the database (no background application)."""
    kind = "pathway" if item.__class__.__name__ == "Pathway" else "course"
    return MandatoryRule.objects.create(
        organisation=organisation,
        roles=list(roles),
        due_within_days=due,
        renewal_days_before_expiry=renewal,
        is_active=active,
        created_by=actor,
        **{kind: item},
    )


def assigned_user_ids(organisation, **item) -> set[int]:
    return set(
        Assignment.objects.filter(organisation=organisation, **item).values_list(
            "user_id", flat=True
        )
    )


class TestRuleCreate:
    def test_a_manager_makes_a_rule_and_staff_are_assigned_after_commit(
        self, organisation, manager, staff, course, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            rule = rule_create(
                organisation=organisation,
                actor=manager,
                item_key=f"course:{course.pk}",
                roles=[ProfessionalRole.MIDWIFE],
                due_within_days=30,
                renewal_days_before_expiry=60,
            )
        assert len(callbacks) == 1
        assert rule.course == course
        assert rule.created_by == manager
        assert rule.is_active
        assignment = Assignment.objects.get(organisation=organisation, course=course)
        assert assignment.user == staff
        assert assignment.rule == rule
        assert assignment.source == Assignment.Source.RULE

    def test_nothing_is_applied_before_commit(self, organisation, manager, staff, course):
        rule_create(
            organisation=organisation,
            actor=manager,
            item_key=f"course:{course.pk}",
            roles=[],
            due_within_days=30,
            renewal_days_before_expiry=60,
        )
        assert not Assignment.objects.exists()

    @pytest.mark.parametrize("who", ["staff", "other_manager"])
    def test_only_a_manager_of_the_organisation(self, request, organisation, course, who):
        actor = request.getfixturevalue(who)
        with pytest.raises(PermissionDenied):
            rule_create(
                organisation=organisation,
                actor=actor,
                item_key=f"course:{course.pk}",
                roles=[],
                due_within_days=30,
                renewal_days_before_expiry=60,
            )
        assert not MandatoryRule.objects.exists()

    def test_no_actor_is_a_platform_administrator_or_the_system(self, organisation, course):
        rule = rule_create(
            organisation=organisation,
            actor=None,
            item_key=f"course:{course.pk}",
            roles=[],
            due_within_days=30,
            renewal_days_before_expiry=60,
        )
        assert rule.created_by is None

    @pytest.mark.parametrize("key", ["", "course:999999", "pathway:999999", "lesson:1", "course:x"])
    def test_an_unknown_item_is_refused(self, organisation, manager, key):
        with pytest.raises(ValidationError) as caught:
            rule_create(
                organisation=organisation,
                actor=manager,
                item_key=key,
                roles=[],
                due_within_days=30,
                renewal_days_before_expiry=60,
            )
        assert caught.value.message_dict == {
            "item_key": ["Choose a course or pathway from the list."]
        }
        assert not MandatoryRule.objects.exists()

    def test_an_unpublished_course_or_inactive_pathway_is_refused(
        self, organisation, manager, pathway
    ):
        draft = create_course(title="Draft course", modules=1, lessons_per_module=1)
        draft.unpublish()
        pathway.is_active = False
        pathway.save()
        for key in (f"course:{draft.pk}", f"pathway:{pathway.pk}"):
            with pytest.raises(ValidationError) as caught:
                rule_create(
                    organisation=organisation,
                    actor=manager,
                    item_key=key,
                    roles=[],
                    due_within_days=30,
                    renewal_days_before_expiry=60,
                )
            assert "item_key" in caught.value.message_dict

    def test_a_second_rule_for_the_same_item_is_refused(self, organisation, manager, course):
        make_rule(organisation, course)
        with pytest.raises(ValidationError) as caught:
            rule_create(
                organisation=organisation,
                actor=manager,
                item_key=f"course:{course.pk}",
                roles=[],
                due_within_days=30,
                renewal_days_before_expiry=60,
            )
        assert caught.value.message_dict == {
            "item_key": [
                "Riverside Nursery already has a rule for “Safeguarding babies”. Change that "
                "rule instead."
            ]
        }

    def test_another_organisation_may_have_the_same_rule(
        self, organisation, other_organisation, other_manager, course
    ):
        make_rule(organisation, course)
        rule = rule_create(
            organisation=other_organisation,
            actor=other_manager,
            item_key=f"course:{course.pk}",
            roles=[],
            due_within_days=30,
            renewal_days_before_expiry=60,
        )
        assert rule.organisation == other_organisation

    @pytest.mark.parametrize(
        ("roles", "due", "renewal", "field"),
        [
            (["astronaut"], 30, 60, "roles"),
            ([], 0, 60, "due_within_days"),
            ([], 731, 60, "due_within_days"),
            ([], 30, -1, "renewal_days_before_expiry"),
            ([], 30, 366, "renewal_days_before_expiry"),
        ],
    )
    def test_bad_settings_are_refused(
        self, organisation, manager, course, roles, due, renewal, field
    ):
        with pytest.raises(ValidationError) as caught:
            rule_create(
                organisation=organisation,
                actor=manager,
                item_key=f"course:{course.pk}",
                roles=roles,
                due_within_days=due,
                renewal_days_before_expiry=renewal,
            )
        assert set(caught.value.message_dict) == {field}
        assert not MandatoryRule.objects.exists()

    def test_roles_are_kept_once_in_list_order(self, organisation, manager, course):
        rule = rule_create(
            organisation=organisation,
            actor=manager,
            item_key=f"course:{course.pk}",
            roles=["health_visitor", "midwife", "health_visitor"],
            due_within_days=30,
            renewal_days_before_expiry=60,
        )
        assert rule.roles == ["midwife", "health_visitor"]


class TestRuleUpdate:
    def test_adding_a_role_assigns_its_staff_after_commit(
        self, organisation, manager, staff, member, course, django_capture_on_commit_callbacks
    ):
        visitor = member(role=ProfessionalRole.HEALTH_VISITOR)
        rule = make_rule(organisation, course, roles=["midwife"], actor=manager)
        rule_apply(rule=rule)
        assert assigned_user_ids(organisation, course=course) == {staff.pk}
        with django_capture_on_commit_callbacks(execute=True):
            rule_update(
                rule=rule,
                actor=manager,
                roles=["midwife", "health_visitor"],
                due_within_days=45,
                renewal_days_before_expiry=30,
                is_active=True,
            )
        rule.refresh_from_db()
        assert (rule.roles, rule.due_within_days, rule.renewal_days_before_expiry) == (
            ["midwife", "health_visitor"],
            45,
            30,
        )
        assert assigned_user_ids(organisation, course=course) == {staff.pk, visitor.user_id}

    def test_removing_a_role_keeps_what_was_assigned(self, organisation, manager, staff, course):
        rule = make_rule(organisation, course, roles=["midwife"], actor=manager)
        rule_apply(rule=rule)
        rule_update(
            rule=rule,
            actor=manager,
            roles=["health_visitor"],
            due_within_days=30,
            renewal_days_before_expiry=60,
            is_active=True,
        )
        assert assigned_user_ids(organisation, course=course) == {staff.pk}

    def test_another_organisations_manager_cannot_change_it(
        self, organisation, other_manager, course
    ):
        rule = make_rule(organisation, course)
        with pytest.raises(PermissionDenied):
            rule_deactivate(rule=rule, actor=other_manager)
        rule.refresh_from_db()
        assert rule.is_active

    def test_a_deactivated_rule_assigns_nobody_new(
        self, organisation, manager, member, course, django_capture_on_commit_callbacks
    ):
        rule = make_rule(organisation, course, actor=manager)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            rule_deactivate(rule=rule, actor=manager)
        assert callbacks == []
        rule.refresh_from_db()
        assert not rule.is_active
        member()
        assert rule_apply(rule=rule) == 0
        assert not Assignment.objects.exists()

    def test_bad_settings_change_nothing(self, organisation, manager, course):
        rule = make_rule(organisation, course, due=30)
        with pytest.raises(ValidationError):
            rule_update(
                rule=rule,
                actor=manager,
                roles=[],
                due_within_days=0,
                renewal_days_before_expiry=60,
                is_active=True,
            )
        rule.refresh_from_db()
        assert rule.due_within_days == 30


@pytest.mark.usefixtures("frozen_today")
class TestRuleApply:
    def test_roles_decide_who_is_assigned(self, organisation, manager, staff, member, course):
        member(role=ProfessionalRole.HEALTH_VISITOR)
        member(role="")
        rule = make_rule(organisation, course, roles=["midwife"], actor=manager)
        assert rule_apply(rule=rule) == 1
        assert assigned_user_ids(organisation, course=course) == {staff.pk}

    def test_no_roles_means_every_member_managers_included(
        self, organisation, other_organisation, manager, staff, member, course
    ):
        visitor = member(role=ProfessionalRole.HEALTH_VISITOR)
        nobody = member(role="")
        member(organisation=other_organisation)
        gone = member()
        gone.status = Membership.Status.LEFT
        gone.save()
        rule = make_rule(organisation, course, actor=manager)
        rule_apply(rule=rule)
        assert assigned_user_ids(organisation, course=course) == {
            manager.pk,
            staff.pk,
            visitor.user_id,
            nobody.user_id,
        }
        assert not Assignment.objects.filter(organisation=other_organisation).exists()

    def test_due_within_days_from_today_with_an_assigned_enrolment(
        self, organisation, manager, staff, course
    ):
        rule = make_rule(organisation, course, roles=["midwife"], due=30, actor=manager)
        rule_apply(rule=rule)
        assignment = Assignment.objects.get(user=staff)
        assert assignment.due_on == TODAY + datetime.timedelta(days=30)
        assert assignment.enrolment_problem == ""
        enrolment = Enrolment.objects.get(user=staff, course=course)
        assert enrolment.source == Enrolment.Source.ASSIGNED
        assert enrolment.assigned_by == manager
        assert enrolment.due_on == assignment.due_on

    def test_idempotent(self, organisation, manager, staff, course):
        rule = make_rule(organisation, course, roles=["midwife"], actor=manager)
        assert rule_apply(rule=rule) == 1
        assert rule_apply(rule=rule) == 0
        assert Assignment.objects.count() == 1
        assert Enrolment.objects.filter(user=staff).count() == 1

    def test_an_existing_assignment_of_the_item_is_left_alone(
        self, organisation, manager, staff, course
    ):
        earlier = Assignment.objects.create(
            organisation=organisation,
            user=staff,
            course=course,
            source=Assignment.Source.MANAGER,
            assigned_by=manager,
            due_on=datetime.date(2026, 12, 25),
        )
        rule = make_rule(organisation, course, actor=manager)
        rule_apply(rule=rule)
        earlier.refresh_from_db()
        assert earlier.due_on == datetime.date(2026, 12, 25)
        assert earlier.source == Assignment.Source.MANAGER
        assert Assignment.objects.filter(user=staff).count() == 1

    def test_the_rule_makers_place_is_taken_by_another_manager_when_they_go(
        self, organisation, manager, manager_membership, member, staff, course
    ):
        second = member(membership_role=Membership.Role.MANAGER)
        rule = make_rule(organisation, course, roles=["midwife"], actor=manager)
        manager_membership.status = Membership.Status.LEFT
        manager_membership.save()
        rule_apply(rule=rule)
        assert Enrolment.objects.get(user=staff).assigned_by == second.user

    def test_without_any_manager_the_assignment_waits_for_one(self, organisation, member, course):
        person = member(role=ProfessionalRole.MIDWIFE)
        rule = make_rule(organisation, course, roles=["midwife"])
        assert rule_apply(rule=rule) == 1
        assignment = Assignment.objects.get(user=person.user)
        assert assignment.enrolment_problem.startswith("Nobody manages Riverside Nursery")
        assert not Enrolment.objects.filter(user=person.user).exists()
        manager = member(membership_role=Membership.Role.MANAGER, role="").user
        rules_sync()
        assignment.refresh_from_db()
        assert assignment.enrolment_problem == ""
        assert Enrolment.objects.get(user=person.user).assigned_by == manager

    def test_a_valid_completion_needs_no_new_enrolment(self, organisation, manager, staff, course):
        from tests.compliance.test_assignment_services import complete

        complete(staff, course)
        rule = make_rule(organisation, course, actor=manager)
        rule_apply(rule=rule)
        assert Assignment.objects.filter(user=staff).exists()
        assert not Enrolment.objects.filter(user=staff, status=Enrolment.Status.ACTIVE).exists()


@pytest.mark.usefixtures("frozen_today")
class TestRulesSync:
    def test_catches_role_changes_and_members_who_joined_while_inactive(
        self, organisation, manager, staff, member, course
    ):
        rule = make_rule(organisation, course, roles=["health_visitor"], actor=manager)
        joined_while_inactive = member(role=ProfessionalRole.HEALTH_VISITOR)
        rule.is_active = False
        rule.save()
        assert rules_sync() == 0
        rule.is_active = True
        rule.save()
        staff.profile.professional_role = ProfessionalRole.HEALTH_VISITOR
        staff.profile.save()
        assert rules_sync() == 2
        assert assigned_user_ids(organisation, course=course) == {
            staff.pk,
            joined_while_inactive.user_id,
        }
        assert rules_sync() == 0

    def test_tasks_take_ids_and_say_what_they_did(self, organisation, manager, staff, course):
        rule = make_rule(organisation, course, roles=["midwife"], actor=manager)
        result = rule_apply_task.enqueue(rule.pk)
        assert result.return_value == "assigned 1"
        assert rule_apply_task.enqueue(999999).return_value == "missing"
        assert rules_sync_task.enqueue().return_value == "assigned 0"
