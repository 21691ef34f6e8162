"""The managers' mandatory training pages, and that nobody reaches another organisation's rules."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from imh_compliance.models import Assignment, MandatoryRule
from tests.courses.factories import create_course

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def make_rule(organisation, course, **fields):
    fields.setdefault("due_within_days", 30)
    return MandatoryRule.objects.create(organisation=organisation, course=course, **fields)


def valid_post(course, **extra):
    data = {
        "item_key": f"course:{course.pk}",
        "roles": ["midwife"],
        "due_within_days": "30",
        "renewal_days_before_expiry": "60",
    }
    data.update(extra)
    return data


class TestList:
    def test_lists_the_rules_with_how_many_are_assigned(
        self, as_user, organisation, manager, staff, course, pathway
    ):
        rule = make_rule(organisation, course, roles=["midwife", "health_visitor"])
        MandatoryRule.objects.create(organisation=organisation, pathway=pathway, is_active=False)
        Assignment.objects.create(
            organisation=organisation, user=staff, course=course, rule=rule, due_on="2026-05-01"
        )
        response = as_user(manager).get(reverse("imh_compliance:rules", args=[organisation.pk]))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Safeguarding babies" in page
        assert "Health visitor pathway" in page
        assert "Midwife and health visitor" in page
        assert "60 days before expiry" in page
        assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">1</td>' in page
        assert 'aria-current="page">Mandatory training' in page
        assert reverse("imh_compliance:rule_edit", args=[organisation.pk, rule.pk]) in page

    def test_says_when_there_are_none(self, as_user, organisation, manager):
        response = as_user(manager).get(reverse("imh_compliance:rules", args=[organisation.pk]))
        assert "Riverside Nursery has no mandatory training yet." in response.content.decode()

    @pytest.mark.parametrize("who", ["staff", "other_manager"])
    def test_only_its_managers(self, as_user, request, organisation, who):
        user = request.getfixturevalue(who)
        response = as_user(user).get(reverse("imh_compliance:rules", args=[organisation.pk]))
        assert response.status_code == 404

    def test_anonymous_people_are_sent_to_log_in(self, client, organisation):
        url = reverse("imh_compliance:rules", args=[organisation.pk])
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


class TestAdd:
    def test_the_form_offers_courses_and_pathways(
        self, as_user, organisation, manager, course, pathway
    ):
        response = as_user(manager).get(reverse("imh_compliance:rule_add", args=[organisation.pk]))
        page = response.content.decode()
        assert '<optgroup label="Courses">' in page
        assert '<optgroup label="Pathways">' in page
        assert f'value="course:{course.pk}"' in page
        assert f'value="pathway:{pathway.pk}"' in page
        assert 'type="checkbox"' in page
        assert 'value="midwife"' in page

    def test_adding_assigns_the_staff_it_applies_to(
        self, as_user, organisation, manager, staff, course, django_capture_on_commit_callbacks
    ):
        client = as_user(manager)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("imh_compliance:rule_add", args=[organisation.pk]), valid_post(course)
            )
        assert response.status_code == 302
        assert response["Location"] == reverse("imh_compliance:rules", args=[organisation.pk])
        rule = MandatoryRule.objects.get()
        assert (rule.organisation, rule.course, rule.roles, rule.created_by) == (
            organisation,
            course,
            ["midwife"],
            manager,
        )
        assert Assignment.objects.get().user == staff
        assert messages_of(response) == [
            "“Safeguarding babies” is now mandatory for midwife. Staff it applies to are "
            "being assigned it."
        ]

    def test_mistakes_are_listed_in_an_error_summary(self, as_user, organisation, manager):
        response = as_user(manager).post(
            reverse("imh_compliance:rule_add", args=[organisation.pk]),
            {"item_key": "", "roles": ["astronaut"], "due_within_days": "0"},
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "There is a problem" in page
        assert "<title>Error: " in page
        for message in (
            "Choose a course or pathway.",
            "Choose roles from the list.",
            "Enter a number of days from 1 to 730.",
            "Enter a number of days from 0 to 365.",
        ):
            assert message in page
        assert not MandatoryRule.objects.exists()

    def test_an_item_that_is_not_offered_changes_nothing(
        self, as_user, organisation, manager, course
    ):
        response = as_user(manager).post(
            reverse("imh_compliance:rule_add", args=[organisation.pk]),
            valid_post(course, item_key="course:999999"),
        )
        assert response.status_code == 200
        assert "Choose a course or pathway from the list." in response.content.decode()
        assert not MandatoryRule.objects.exists()

    def test_a_duplicate_is_explained(self, as_user, organisation, manager, course):
        make_rule(organisation, course)
        response = as_user(manager).post(
            reverse("imh_compliance:rule_add", args=[organisation.pk]), valid_post(course)
        )
        assert response.status_code == 200
        assert "already has a rule for “Safeguarding babies”" in response.content.decode()
        assert MandatoryRule.objects.count() == 1

    def test_another_organisations_manager_cannot_add(
        self, as_user, organisation, other_manager, course
    ):
        response = as_user(other_manager).post(
            reverse("imh_compliance:rule_add", args=[organisation.pk]), valid_post(course)
        )
        assert response.status_code == 404
        assert not MandatoryRule.objects.exists()


class TestEditAndDeactivate:
    def test_the_form_shows_the_rule(self, as_user, organisation, manager, course):
        rule = make_rule(organisation, course, roles=["midwife"], due_within_days=45)
        response = as_user(manager).get(
            reverse("imh_compliance:rule_edit", args=[organisation.pk, rule.pk])
        )
        page = response.content.decode()
        assert "Change the rule for Safeguarding babies" in page
        assert 'value="45"' in page
        assert 'value="midwife" checked' in page

    def test_changing_saves_it(self, as_user, organisation, manager, course):
        rule = make_rule(organisation, course)
        response = as_user(manager).post(
            reverse("imh_compliance:rule_edit", args=[organisation.pk, rule.pk]),
            {
                "roles": ["health_visitor"],
                "due_within_days": "14",
                "renewal_days_before_expiry": "0",
            },
        )
        assert response.status_code == 302
        rule.refresh_from_db()
        assert (rule.roles, rule.due_within_days, rule.renewal_days_before_expiry) == (
            ["health_visitor"],
            14,
            0,
        )
        assert rule.is_active is False  # the box was not ticked

    def test_mistakes_change_nothing(self, as_user, organisation, manager, course):
        rule = make_rule(organisation, course)
        response = as_user(manager).post(
            reverse("imh_compliance:rule_edit", args=[organisation.pk, rule.pk]),
            {"due_within_days": "many", "renewal_days_before_expiry": "60", "is_active": "on"},
        )
        assert response.status_code == 200
        assert "Enter a whole number of days, like 90." in response.content.decode()
        rule.refresh_from_db()
        assert rule.due_within_days == 30

    def test_deactivating_asks_first_then_keeps_assignments(
        self, as_user, organisation, manager, staff, course
    ):
        rule = make_rule(organisation, course)
        Assignment.objects.create(
            organisation=organisation, user=staff, course=course, rule=rule, due_on="2026-05-01"
        )
        client = as_user(manager)
        url = reverse("imh_compliance:rule_deactivate", args=[organisation.pk, rule.pk])
        page = client.get(url).content.decode()
        assert "Deactivate the rule for Safeguarding babies?" in page
        rule.refresh_from_db()
        assert rule.is_active
        response = client.post(url)
        assert response.status_code == 302
        rule.refresh_from_db()
        assert not rule.is_active
        assert Assignment.objects.filter(rule=rule).exists()

    @pytest.mark.parametrize("name", ["imh_compliance:rule_edit", "imh_compliance:rule_deactivate"])
    def test_another_organisations_manager_gets_404_and_nothing_changes(
        self, as_user, organisation, other_organisation, other_manager, course, name
    ):
        rule = make_rule(organisation, course, due_within_days=30)
        client = as_user(other_manager)
        data = {"roles": [], "due_within_days": "5", "renewal_days_before_expiry": "5"}
        # Their own organisation's address with this rule's id, and the rule's own address.
        for org_pk in (other_organisation.pk, organisation.pk):
            url = reverse(name, args=[org_pk, rule.pk])
            assert client.get(url).status_code == 404
            assert client.post(url, data).status_code == 404
        rule.refresh_from_db()
        assert (rule.is_active, rule.due_within_days) == (True, 30)

    def test_a_staff_member_gets_404(self, as_user, organisation, staff, course):
        rule = make_rule(organisation, course)
        url = reverse("imh_compliance:rule_deactivate", args=[organisation.pk, rule.pk])
        assert as_user(staff).post(url).status_code == 404
        rule.refresh_from_db()
        assert rule.is_active


def test_an_unpublished_course_is_not_offered(as_user, organisation, manager):
    hidden = create_course(title="Withdrawn course", modules=1, lessons_per_module=1)
    hidden.unpublish()
    response = as_user(manager).get(reverse("imh_compliance:rule_add", args=[organisation.pk]))
    assert "Withdrawn course" not in response.content.decode()
