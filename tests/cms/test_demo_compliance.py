"""The demo's mandatory training: idempotent, and the manager's dashboard shows every status."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from imh_certificates.models import Certificate
from imh_compliance.models import Assignment, MandatoryRule
from imh_compliance.selectors.matrix import compliance_matrix
from imh_compliance.services.facts import assignment_facts_refresh
from imh_compliance.status import Status
from imh_courses.models import CourseCompletion, Enrolment, LessonProgress
from imh_organisations.models import Membership, Organisation, Site, Team

pytestmark = pytest.mark.django_db


def _rows() -> dict[str, list[tuple]]:
    return {
        "rules": list(
            MandatoryRule.objects.order_by("pk").values_list(
                "pk", "organisation_id", "course_id", "pathway_id", "roles", "is_active"
            )
        ),
        "assignments": list(
            Assignment.objects.order_by("pk").values_list(
                "pk", "user_id", "course_id", "pathway_id", "due_on", "source"
            )
        ),
        "teams": list(Team.objects.order_by("pk").values_list("pk", "name")),
        "sites": list(Site.objects.order_by("pk").values_list("pk", "name")),
        "memberships": list(
            Membership.objects.order_by("pk").values_list("pk", "status", "team_id", "site_id")
        ),
        "users": list(get_user_model().objects.order_by("pk").values_list("pk", "username")),
        "enrolments": list(
            Enrolment.objects.order_by("pk").values_list("pk", "status", "due_on", "cycle")
        ),
        "completions": list(
            CourseCompletion.objects.order_by("pk").values_list("pk", "completed_at", "expires_on")
        ),
        "progress": list(LessonProgress.objects.order_by("pk").values_list("pk")),
        "certificates": list(
            Certificate.objects.order_by("pk").values_list("pk", "completed_on", "expires_on")
        ),
    }


def _trust() -> Organisation:
    return Organisation.objects.get(organisation_type="nhs_trust")


def test_demo_load_twice_gives_the_same_rows():
    call_command("demo_load")
    first = _rows()
    call_command("demo_load")
    assert _rows() == first
    assert len(first["rules"]) == 2
    assert len(first["teams"]) == 4
    assert len(first["sites"]) == 2


def test_the_trust_dashboard_shows_every_status(client):
    call_command("demo_load")
    matrix = compliance_matrix(organisation=_trust())
    seen = {cell.status for row in matrix.rows for cell in row.cells}
    assert seen >= {
        Status.COMPLETED,
        Status.EXPIRING,
        Status.EXPIRED,
        Status.OVERDUE,
        Status.IN_PROGRESS,
        Status.NOT_STARTED,
    }
    assert len(matrix.rows) == 11  # the manager, the trainee, the supervisor and eight more staff
    by_name = {row.name: row for row in matrix.rows}
    assert by_name["Priya Shah"].team == "Health visiting - North"
    assert by_name["Kwame Mensah"].site == "Market Street Children's Centre"
    assert [column.kind for column in matrix.columns] == ["course", "pathway", "course"]
    # Made through the services, so the assignments' learning facts needed no correcting.
    assert assignment_facts_refresh() == 0


def test_past_completions_have_matching_certificates():
    call_command("demo_load")
    grace = CourseCompletion.objects.get(user__username="demo-staff-grace")
    certificate = Certificate.objects.get(
        source_type="imh_courses.coursecompletion", source_id=grace.pk
    )
    assert certificate.expires_on == grace.expires_on
    assert certificate.completed_on < certificate.expires_on


def test_the_demo_manager_lands_on_the_dashboard(client):
    call_command("demo_load")
    client.force_login(get_user_model().objects.get(username="manager"))
    response = client.get(f"/compliance/{_trust().pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for status in ("Completed", "Expiring soon", "Expired", "Overdue", "In progress"):
        assert status in html


def test_demo_logins_point_the_manager_at_the_dashboard(capsys):
    call_command("demo_logins", base_url="http://127.0.0.1:8000")
    assert "http://127.0.0.1:8000/compliance/ (as manager@example.org)" in capsys.readouterr().out
