"""The compliance admin for platform administrators: audit log, rules and assignments."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from imh_compliance.models import AccessEvent, Assignment, MandatoryRule
from imh_compliance.services.audit import access_event_record
from tests.compliance.records_fixtures import World, assign
from tests.courses.factories import create_course
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


@pytest.fixture
def events(world):
    return [
        access_event_record(
            organisation=world.organisation,
            viewer=world.manager,
            action=AccessEvent.Action.VIEWED_RECORD,
            member=world.member,
        ),
        access_event_record(
            organisation=world.other_organisation,
            viewer=world.other_manager,
            action=AccessEvent.Action.EXPORTED,
            detail="CSV",
        ),
    ]


class TestAccessLogAdmin:
    def test_admin_reads_the_index_with_filters_and_inspects(self, client, admin_user, events):
        client.force_login(admin_user)
        url = reverse("compliance_access_events:index")
        response = client.get(url)
        assert response.status_code == 200
        content = response.content.decode()
        assert "Morgan Manager" in content
        assert "Olly Other" in content

        content = client.get(url, {"action": "exported"}).content.decode()
        assert "Olly Other" in content
        assert "Morgan Manager" not in content
        content = client.get(url, {"organisation": events[0].organisation_id}).content.decode()
        assert "Morgan Manager" in content
        assert "Olly Other" not in content
        yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
        response = client.get(url, {"created_at_from": yesterday})
        assert response.status_code == 200

        response = client.get(reverse("compliance_access_events:inspect", args=[events[0].pk]))
        assert response.status_code == 200
        assert "Sam Staff" in response.content.decode()

    def test_no_add_edit_or_delete(self, client, admin_user, events):
        for name, args in (("add", []), ("edit", [events[0].pk]), ("delete", [events[0].pk])):
            with pytest.raises(NoReverseMatch):
                reverse(f"compliance_access_events:{name}", args=args)
        client.force_login(admin_user)
        base = reverse("compliance_access_events:index")
        assert client.get(f"{base}edit/{events[0].pk}/").status_code == 404
        assert client.post(f"{base}delete/{events[0].pk}/").status_code == 404
        assert AccessEvent.objects.count() == 2

    def test_a_manager_who_is_not_an_administrator_cannot(self, client, world, events):
        client.force_login(world.manager)
        response = client.get(reverse("compliance_access_events:index"))
        assert response.status_code in (302, 403)
        assert "Morgan Manager" not in response.content.decode()

    def test_staff_with_the_view_permission_can(self, client, events):
        auditor = UserFactory()
        auditor.user_permissions.add(
            Permission.objects.get(codename="access_admin"),
            Permission.objects.get(codename="view_accessevent"),
        )
        client.force_login(auditor)
        assert client.get(reverse("compliance_access_events:index")).status_code == 200
        # Viewing does not allow anything else, whatever permissions exist.
        assert client.get(reverse("compliance_assignments:index")).status_code in (302, 403)


class TestAssignmentAdmin:
    def test_read_only_list_and_inspect(self, client, admin_user, world):
        course = create_course(title="Safeguarding babies", modules=1, lessons_per_module=1)
        assignment = assign(
            organisation=world.organisation,
            user=world.member,
            course=course,
            due_on=timezone.localdate(),
        )
        client.force_login(admin_user)
        content = client.get(reverse("compliance_assignments:index")).content.decode()
        assert "Safeguarding babies" in content
        assert "Sam Staff" in content
        url = reverse("compliance_assignments:inspect", args=[assignment.pk])
        assert client.get(url).status_code == 200
        with pytest.raises(NoReverseMatch):
            reverse("compliance_assignments:edit", args=[assignment.pk])
        assert Assignment.objects.count() == 1


class TestMandatoryRuleAdmin:
    def test_admin_adds_and_edits_a_rule_through_the_services(self, client, admin_user, world):
        course = create_course(title="Safeguarding babies", modules=1, lessons_per_module=1)
        client.force_login(admin_user)
        add_url = reverse("compliance_rules:add")
        assert client.get(add_url).status_code == 200
        response = client.post(
            add_url,
            {
                "organisation": world.organisation.pk,
                "course": course.pk,
                "pathway": "",
                "due_within_days": 30,
                "renewal_days_before_expiry": 60,
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        rule = MandatoryRule.objects.get()
        assert rule.organisation == world.organisation
        assert rule.course_id == course.pk
        assert rule.due_within_days == 30

        response = client.post(
            reverse("compliance_rules:edit", args=[rule.pk]),
            {"roles": ["health_visitor"], "due_within_days": 45, "renewal_days_before_expiry": 30},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        rule.refresh_from_db()
        assert rule.due_within_days == 45
        assert rule.roles == ["health_visitor"]
        assert rule.is_active is False  # the box was left unticked
        assert rule.course_id == course.pk  # the item cannot change

        assert client.get(reverse("compliance_rules:index")).status_code == 200
        with pytest.raises(NoReverseMatch):
            reverse("compliance_rules:delete", args=[rule.pk])

    def test_a_second_rule_for_the_same_course_is_a_form_error(self, client, admin_user, world):
        course = create_course(title="Safeguarding babies", modules=1, lessons_per_module=1)
        data = {
            "organisation": world.organisation.pk,
            "course": course.pk,
            "pathway": "",
            "due_within_days": 30,
            "renewal_days_before_expiry": 60,
        }
        client.force_login(admin_user)
        client.post(reverse("compliance_rules:add"), data)
        response = client.post(reverse("compliance_rules:add"), data)
        assert response.status_code == 200
        assert "already has a rule" in response.content.decode()
        assert MandatoryRule.objects.count() == 1

    def test_neither_or_both_items_is_a_form_error(self, client, admin_user, world):
        client.force_login(admin_user)
        response = client.post(
            reverse("compliance_rules:add"),
            {
                "organisation": world.organisation.pk,
                "course": "",
                "pathway": "",
                "due_within_days": 30,
                "renewal_days_before_expiry": 60,
            },
        )
        assert response.status_code == 200
        assert "Choose a course or a pathway" in response.content.decode()
        assert not MandatoryRule.objects.exists()
