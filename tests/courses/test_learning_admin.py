"""The Wagtail admin's learning records: read-only enrolments with export, and the course report."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from openpyxl import load_workbook

from imh_courses.models import Enrolment
from imh_courses.services.learning import enrolment_create, lesson_complete
from tests.courses.factories import create_course as _create_course
from tests.courses.factories import lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def create_course(**fields):
    fields.setdefault("modules", 1)
    fields.setdefault("lessons_per_module", 2)
    return _create_course(publish=False, **fields)


@pytest.fixture
def educator():
    user = UserFactory(username="educator")
    user.groups.add(Group.objects.get(name="Educators"))
    return user


@pytest.fixture
def superuser():
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def course():
    return create_course(title="Foundations")


@pytest.fixture
def records(course):
    """Two trainees on Foundations (one completed), one on another course."""
    manager = UserFactory(email="manager@example.org")
    done = UserFactory(email="done@example.org", first_name="Dana", last_name="Done")
    doing = UserFactory(email="doing@example.org", first_name="Dev", last_name="Doing")
    start = datetime.datetime(2025, 2, 3, 9, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        enrolment_create(user=done, course=course)
        enrolment_create(
            user=doing, course=course, assigned_by=manager, due_on=datetime.date(2025, 3, 31)
        )
    with time_machine.travel(start + datetime.timedelta(days=6), tick=False):
        for lesson in lessons_of(course):
            lesson_complete(user=done, lesson=lesson)
    other = create_course(title="Other course", slug="other")
    enrolment_create(user=UserFactory(email="elsewhere@example.org"), course=other)
    return {"done": done, "doing": doing, "other": other}


def csv_rows(response) -> list[dict[str, str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(content)))


class TestAccess:
    def test_educators_see_enrolments_and_the_report(self, client, educator, records):
        client.force_login(educator)
        assert client.get(reverse("enrolments:index")).status_code == 200
        assert client.get(reverse("course_report:index")).status_code == 200
        home = client.get(reverse("wagtailadmin_home")).content.decode()
        assert "Learning records" in home

    def test_a_group_with_the_view_permission_sees_them(self, client, records):
        staff = UserFactory()
        group = Group.objects.create(name="Training leads")
        group.permissions.add(
            Permission.objects.get(codename="access_admin"),
            Permission.objects.get(codename="view_enrolment"),
        )
        staff.groups.add(group)
        client.force_login(staff)
        assert client.get(reverse("enrolments:index")).status_code == 200
        assert client.get(reverse("course_report:index")).status_code == 200

    def test_admin_users_without_either_do_not(self, client, records):
        editor = UserFactory()
        group = Group.objects.create(name="Editors only")
        group.permissions.add(Permission.objects.get(codename="access_admin"))
        editor.groups.add(group)
        client.force_login(editor)
        for url in (reverse("enrolments:index"), reverse("course_report:index")):
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"] == reverse("wagtailadmin_home")
        assert "Learning records" not in client.get(reverse("wagtailadmin_home")).content.decode()

    def test_trainees_do_not(self, client, records):
        client.force_login(records["doing"])
        response = client.get(reverse("enrolments:index"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("wagtailadmin_login"))

    def test_the_policy_names_who_may_look(self, educator, superuser, records):
        from wagtail.permissions import policy_registry

        policy = policy_registry.get_by_type(Enrolment)
        viewers = set(policy.users_with_any_permission(["view"]))
        assert {educator, superuser} <= viewers
        assert records["doing"] not in viewers
        assert not policy.users_with_any_permission(["change", "delete"]).exists()

    def test_without_an_educators_group_nobody_is_an_educator(
        self, educator, superuser, records, settings
    ):
        from wagtail.permissions import policy_registry

        settings.IMH_EDUCATORS_GROUP = None
        policy = policy_registry.get_by_type(Enrolment)
        viewers = set(policy.users_with_any_permission(["view"]))
        # Only the permission counts; a group name of None must not match people in no group.
        assert superuser in viewers
        assert not {educator, records["doing"]} & viewers
        assert not policy.user_has_permission(UserFactory(), "view")

    def test_only_view_is_offered_to_groups(self):
        from imh_courses.viewsets.learning import EnrolmentViewSet

        codenames = set(
            EnrolmentViewSet().get_permissions_to_register().values_list("codename", flat=True)
        )
        assert codenames == {"view_enrolment"}


class TestReadOnly:
    @pytest.mark.parametrize("who", ["educator", "superuser"])
    def test_nobody_adds_edits_or_deletes(self, client, who, request, records, course):
        client.force_login(request.getfixturevalue(who))
        enrolment = Enrolment.objects.filter(course=course).first()
        for url in (
            reverse("enrolments:add"),
            reverse("enrolments:edit", args=[enrolment.pk]),
            reverse("enrolments:delete", args=[enrolment.pk]),
        ):
            assert client.get(url).status_code == 302, url
            assert client.post(url, {"due_on": "2030-01-01"}).status_code == 302, url
        enrolment.refresh_from_db()
        assert enrolment.due_on != datetime.date(2030, 1, 1)
        assert Enrolment.objects.count() == 3
        index = client.get(reverse("enrolments:index")).content.decode()
        assert reverse("enrolments:add") not in index
        assert reverse("enrolments:edit", args=[enrolment.pk]) not in index

    def test_inspect(self, client, educator, records, course):
        client.force_login(educator)
        enrolment = Enrolment.objects.get(user=records["doing"])
        response = client.get(reverse("enrolments:inspect", args=[enrolment.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert "31 Mar 2025" in html
        assert "Foundations" in html
        assert "Dev Doing (doing@example.org)" in html
        assert "(manager@example.org)" in html


class TestEnrolmentList:
    def test_lists_with_names_and_emails(self, client, educator, records):
        client.force_login(educator)
        html = client.get(reverse("enrolments:index")).content.decode()
        for text in ("done@example.org", "Dev Doing", "elsewhere@example.org", "Other course"):
            assert text in html

    def test_filter_by_course_status_and_source(self, client, educator, records, course):
        client.force_login(educator)
        url = reverse("enrolments:index")
        html = client.get(url, {"course": course.pk}).content.decode()
        assert "done@example.org" in html
        assert "elsewhere@example.org" not in html
        html = client.get(url, {"course": course.pk, "status": "completed"}).content.decode()
        assert "done@example.org" in html
        assert "doing@example.org" not in html
        html = client.get(url, {"source": "assigned"}).content.decode()
        assert "doing@example.org" in html
        assert "done@example.org" not in html

    def test_search_by_email_or_name(self, client, educator, records):
        client.force_login(educator)
        url = reverse("enrolments:index")
        html = client.get(url, {"q": "doing@"}).content.decode()
        assert "doing@example.org" in html
        assert "done@example.org" not in html
        html = client.get(url, {"q": "Dana"}).content.decode()
        assert "done@example.org" in html
        assert "doing@example.org" not in html

    def test_a_fixed_number_of_queries(self, client, educator, records, course):
        client.force_login(educator)
        url = reverse("enrolments:index")
        client.get(url)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as before:
            client.get(url)
        for _ in range(5):
            enrolment_create(user=UserFactory(), course=course)
        with CaptureQueriesContext(connection) as after:
            client.get(url)
        assert len(after) == len(before)

    def test_csv_export(self, client, educator, records, course):
        client.force_login(educator)
        response = client.get(reverse("enrolments:index"), {"course": course.pk, "export": "csv"})
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="enrolments.csv"'
        rows = sorted(csv_rows(response), key=lambda row: row["Email"])
        assert [row["Email"] for row in rows] == ["doing@example.org", "done@example.org"]
        doing, done = rows
        assert list(doing) == [
            "Email",
            "First name",
            "Last name",
            "Course",
            "Attempt",
            "Status",
            "Source",
            "Assigned by",
            "Due on",
            "Enrolled",
            "Last activity",
            "Completed",
        ]
        assert doing["Course"] == "Foundations"
        assert doing["Status"] == "In progress"
        assert doing["Source"] == "Assigned"
        assert doing["Assigned by"] == "manager@example.org"
        assert doing["Due on"] == "2025-03-31"
        assert doing["Completed"] == ""
        assert done["Status"] == "Completed"
        assert done["Source"] == "Self-enrolled"
        assert done["Attempt"] == "1"
        assert done["Completed"].startswith("2025-02-09")

    def test_xlsx_export(self, client, educator, records, course):
        client.force_login(educator)
        response = client.get(reverse("enrolments:index"), {"export": "xlsx"})
        assert response.status_code == 200
        workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        rows = list(workbook.active.values)
        assert rows[0][0] == "Email"
        assert len(rows) == 4


class TestCourseReport:
    def test_numbers_and_link_to_the_enrolments(self, client, educator, records, course):
        client.force_login(educator)
        response = client.get(reverse("course_report:index"))
        assert response.status_code == 200
        html = response.content.decode()
        assert f"{reverse('enrolments:index')}?course={course.pk}" in html
        table = response.context["table"]
        rows = {row["title"]: row for row in table.data}
        foundations = rows["Foundations"]
        assert foundations["enrolled"] == 2
        assert foundations["in_progress"] == 1
        assert foundations["completed"] == 1
        assert foundations["completion_rate"] == 50.0
        assert foundations["median_days_to_complete"] == 6.0
        assert "50%" in html
        assert rows["Other course"]["completion_rate"] == 0.0

    def test_csv_export(self, client, educator, records):
        client.force_login(educator)
        response = client.get(reverse("course_report:index"), {"export": "csv"})
        assert response["Content-Disposition"] == 'attachment; filename="course-report.csv"'
        rows = {row["Course"]: row for row in csv_rows(response)}
        assert rows["Foundations"] == {
            "Course": "Foundations",
            "Enrolled": "2",
            "In progress": "1",
            "Completed": "1",
            "Withdrawn": "0",
            "Completion rate (%)": "50.0",
            "Median days to complete": "6.0",
        }
