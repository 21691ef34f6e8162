"""The compliance dashboard, its assign and remind actions, and the way in from the header."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from imh_accounts.choices import ProfessionalRole
from imh_compliance.models import Assignment, MandatoryRule, Reminder
from imh_courses.models import Enrolment
from imh_courses.services.learning import enrolment_create, lesson_complete
from imh_organisations.models import Membership, Site, Team
from tests.courses.factories import create_course, lessons_of

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC), tick=True):
        yield


def _assign(membership, *, course=None, pathway=None, due_on=None):
    return Assignment.objects.create(
        organisation=membership.organisation,
        user=membership.user,
        course=course,
        pathway=pathway,
        due_on=due_on or TODAY + datetime.timedelta(days=30),
        source=Assignment.Source.MANAGER,
    )


def _complete(user, course):
    enrolment_create(user=user, course=course)
    for lesson in lessons_of(course):
        lesson_complete(user=user, lesson=lesson)


def _rule(organisation, course):
    return MandatoryRule.objects.create(organisation=organisation, course=course, roles=[])


def _url(name, organisation, query=""):
    url = reverse(f"imh_compliance:{name}", args=[organisation.pk])
    return f"{url}?{query}" if query else url


def _text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _matrix_names(response) -> list[str]:
    html = response.content.decode()
    body = html.split('id="compliance-matrix-caption"', 1)[1].split("</tbody>", 1)[0]
    return re.findall(
        r'<th class="nhsuk-table__header" scope="row"><a href="[^"]+">([^<]+)</a>', body
    )


@pytest.fixture
def team_and_site(organisation):
    return (
        Team.objects.create(organisation=organisation, name="Health visiting North"),
        Site.objects.create(organisation=organisation, name="Riverside Clinic"),
    )


@pytest.fixture
def scenario(organisation, manager_membership, staff_membership, member, course, team_and_site):
    """Sam Midwife overdue, Pat Visitor completed, Una Early not started (in the team and site)."""
    team, site = team_and_site
    _rule(organisation, course)
    visitor = member(name="Pat Visitor")
    early = member(name="Una Early", role=ProfessionalRole.NURSERY_NURSE)
    early.team, early.site = team, site
    early.save()
    _assign(staff_membership, course=course, due_on=TODAY - datetime.timedelta(days=3))
    _assign(visitor, course=course)
    _complete(visitor.user, course)
    _assign(early, course=course, due_on=TODAY + datetime.timedelta(days=10))
    return {"sam": staff_membership, "pat": visitor, "una": early}


# Who may see what.


@pytest.mark.parametrize("name", ["dashboard", "assign", "remind"])
def test_anonymous_people_are_asked_to_log_in(client, organisation, name):
    response = client.get(_url(name, organisation))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_home_asks_anonymous_people_to_log_in(client):
    response = client.get(reverse("imh_compliance:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["dashboard", "assign", "remind"])
def test_staff_and_managers_of_other_organisations_get_404(
    as_user, organisation, other_manager, staff, name
):
    assert as_user(other_manager).get(_url(name, organisation)).status_code == 404
    assert as_user(staff).get(_url(name, organisation)).status_code == 404


@pytest.mark.parametrize("name", ["assign", "remind"])
def test_other_managers_cannot_post_actions(
    as_user, organisation, other_manager, staff, course, name
):
    data = {"member": [staff.pk], "item_key": f"course:{course.pk}", "due_on": "2026-09-01"}
    response = as_user(other_manager).post(_url(name, organisation), data)
    assert response.status_code == 404
    assert not Assignment.objects.exists()
    assert not Reminder.objects.exists()


def test_a_manager_who_leaves_loses_access(as_user, organisation, manager_membership):
    client = as_user(manager_membership.user)
    assert client.get(_url("dashboard", organisation)).status_code == 200
    manager_membership.status = Membership.Status.LEFT
    manager_membership.save()
    assert client.get(_url("dashboard", organisation)).status_code == 404


def test_home_goes_straight_to_the_only_organisation(as_user, manager, organisation):
    response = as_user(manager).get(reverse("imh_compliance:home"))
    assert response.status_code == 302
    assert response["Location"] == _url("dashboard", organisation)


def test_home_lists_several_organisations(as_user, manager, organisation, other_organisation):
    Membership.objects.create(
        user=manager,
        organisation=other_organisation,
        role=Membership.Role.MANAGER,
        status=Membership.Status.ACTIVE,
        source=Membership.Source.ADMIN,
    )
    response = as_user(manager).get(reverse("imh_compliance:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert _url("dashboard", organisation) in html
    assert _url("dashboard", other_organisation) in html


def test_home_for_someone_who_manages_nothing(as_user, staff):
    response = as_user(staff).get(reverse("imh_compliance:home"))
    assert response.status_code == 200
    assert "You do not manage an organisation" in _text(response)
    assert reverse("imh_compliance:my_records") in response.content.decode()


def test_the_header_links_to_staff_compliance_for_managers_only(as_user, manager, staff):
    link = f'href="{reverse("imh_compliance:home")}"'
    assert link not in as_user(staff).get(reverse("imh_accounts:dashboard")).content.decode()
    assert link in as_user(manager).get(reverse("imh_accounts:dashboard")).content.decode()


# The dashboard.


def test_dashboard_shows_statuses_summary_totals_and_links(
    as_user, manager, organisation, scenario
):
    response = as_user(manager).get(_url("dashboard", organisation))
    assert response.status_code == 200
    html = response.content.decode()
    text = _text(response)
    assert _matrix_names(response) == ["Morgan Manager", "Pat Visitor", "Sam Midwife", "Una Early"]
    assert 'nhsuk-tag nhsuk-tag--red">Overdue' in html
    assert 'nhsuk-tag nhsuk-tag--green">Completed' in html
    assert 'nhsuk-tag nhsuk-tag--grey">Not started' in html
    assert "Due 12 June 2026" in text
    assert "Valid until 15 June 2027" in text
    # Members link to their records, by membership.
    assert reverse("imh_compliance:member", args=[organisation.pk, scenario["sam"].pk]) in html
    # Checkboxes carry user ids for the actions.
    assert f'name="member" type="checkbox" value="{scenario["sam"].user_id}"' in html
    # Summary: the manager has nothing assigned, so counts as compliant.
    assert re.search(r"Compliant\s*</dt>\s*<dd[^>]*>2<", html)
    assert re.search(r"Not compliant\s*</dt>\s*<dd[^>]*>1<", html)
    assert re.search(r"On track\s*</dt>\s*<dd[^>]*>1<", html)
    # Totals, worst first, in the footer and in their own table.
    assert "Overdue: 1 Not started: 1 Completed: 1" in text
    totals = html.split('id="compliance-totals-caption"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r'nhsuk-table__cell--numeric">(\d+)<', totals)
    assert cells == ["1", "0", "0", "1", "0", "1"]
    # Actions, exports and checks.
    assert f'formaction="{_url("assign", organisation)}"' in html
    assert f'formaction="{_url("remind", organisation)}"' in html
    assert f'href="{_url("export_csv", organisation)}"' in html
    assert f'href="{_url("export_xlsx", organisation)}"' in html
    assert f'href="{_url("reports", organisation)}"' in html
    assert f'href="{reverse("imh_certificates:verify")}"' in html
    assert f'href="{reverse("imh_certificates:verify_many")}"' in html
    assert 'role="region" aria-labelledby="compliance-matrix-caption" tabindex="0"' in html


def test_dashboard_never_shows_other_organisations_members(
    as_user, manager, organisation, other_organisation, member, scenario
):
    member(organisation=other_organisation, name="Olive Outsider")
    response = as_user(manager).get(_url("dashboard", organisation))
    assert "Olive Outsider" not in response.content.decode()


def test_filters_search_and_status(as_user, manager, organisation, scenario, team_and_site):
    team, site = team_and_site
    client = as_user(manager)

    response = client.get(_url("dashboard", organisation, "q=visitor"))
    assert _matrix_names(response) == ["Pat Visitor"]

    response = client.get(_url("dashboard", organisation, "status=overdue"))
    assert _matrix_names(response) == ["Sam Midwife"]
    assert "1 shown of 4" in _text(response)
    assert f'href="{_url("export_csv", organisation, "status=overdue")}"' in (
        response.content.decode()
    )

    response = client.get(_url("dashboard", organisation, f"team={team.pk}"))
    assert _matrix_names(response) == ["Una Early"]
    response = client.get(_url("dashboard", organisation, f"site={site.pk}&role=nursery_nurse"))
    assert _matrix_names(response) == ["Una Early"]


def test_unknown_filters_are_errors_and_the_matrix_ignores_them(
    as_user, manager, organisation, other_organisation, scenario
):
    other_team = Team.objects.create(organisation=other_organisation, name="Elsewhere")
    response = as_user(manager).get(
        _url("dashboard", organisation, f"status=wonderful&team={other_team.pk}&sort=shoe&page=x")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "nhsuk-error-summary" in html
    assert "Choose a status from the list." in html
    assert "Choose a team from the list." in html
    assert "Choose how to sort from the list." in html
    assert len(_matrix_names(response)) == 4


def test_sorting_by_a_requirement_puts_the_worst_first_and_reverses(
    as_user, manager, organisation, scenario, course
):
    client = as_user(manager)
    key = f"course:{course.pk}"
    response = client.get(_url("dashboard", organisation, f"sort={key}"))
    names = _matrix_names(response)
    assert names[:3] == ["Sam Midwife", "Una Early", "Pat Visitor"]
    html = response.content.decode()
    assert re.search(r'aria-sort="ascending"><a class="imh-sort-link" href="[^"]*order=desc', html)
    assert html.count("aria-sort=") == 1

    response = client.get(_url("dashboard", organisation, f"sort={key}&order=desc"))
    assert _matrix_names(response)[-3:] == ["Pat Visitor", "Una Early", "Sam Midwife"]
    assert 'aria-sort="descending"' in response.content.decode()

    response = client.get(_url("dashboard", organisation, "order=desc"))
    assert _matrix_names(response) == ["Una Early", "Sam Midwife", "Pat Visitor", "Morgan Manager"]


def test_pagination_keeps_filters_and_survives_bad_page_numbers(
    as_user, manager, organisation, member
):
    for number in range(55):
        member(name=f"Member {number:02d}")
    client = as_user(manager)
    first = client.get(_url("dashboard", organisation, "role=health_visitor"))
    assert len(_matrix_names(first)) == 50
    assert _matrix_names(first)[0] == "Member 00"
    html = first.content.decode()
    assert 'href="?role=health_visitor&amp;page=2"' in html
    assert 'aria-current="page">1</a>' in html
    assert 'aria-label="Pages of staff"' in html

    second = client.get(_url("dashboard", organisation, "role=health_visitor&page=2"))
    assert _matrix_names(second) == [f"Member {n}" for n in range(50, 55)]
    assert "Showing 51 to 55 of 55 members" in _text(second)

    for page in ("abc", ""):
        response = client.get(_url("dashboard", organisation, f"page={page}"))
        assert response.status_code == 200
        assert _matrix_names(response)[0] == "Member 00"
    for page in ("999", "-1", "0"):
        response = client.get(_url("dashboard", organisation, f"page={page}"))
        assert response.status_code == 200
        assert _matrix_names(response) == [f"Member {n}" for n in range(50, 55)] + [
            "Morgan Manager"
        ]


def test_select_everyone_on_a_page_without_javascript(as_user, manager, organisation, member):
    for number in range(55):
        member(name=f"Member {number:02d}")
    client = as_user(manager)
    second = client.get(_url("dashboard", organisation, "role=health_visitor&page=2"))
    html = second.content.decode()
    assert html.count('name="member" type="checkbox"') == 5
    assert 'name="member" type="checkbox" value' in html
    assert " checked>" not in html
    assert 'href="?role=health_visitor&amp;page=2&amp;select=page"' in html

    ticked = client.get(
        _url("dashboard", organisation, "role=health_visitor&page=2&select=page")
    ).content.decode()
    assert ticked.count(" checked>") == 5
    assert 'href="?role=health_visitor&amp;page=2">Clear the selection' in ticked


def _dashboard_queries(client, organisation) -> int:
    client.get(_url("dashboard", organisation))  # warm caches (site settings, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url("dashboard", organisation, "sort=team"))
    assert response.status_code == 200
    return len(queries)


def test_dashboard_query_count_does_not_grow_with_staff_or_requirements(
    as_user, manager, organisation, member, course, team_and_site
):
    team, site = team_and_site
    client = as_user(manager)
    courses = [course] + [
        create_course(title=f"Requirement {n}", modules=1, lessons_per_module=1) for n in range(3)
    ]
    _rule(organisation, course)
    people = [member() for _ in range(2)]
    for person in people:
        _assign(person, course=course)
    _complete(people[0].user, course)
    small = _dashboard_queries(client, organisation)

    for extra in courses[1:]:
        _rule(organisation, extra)
    for _ in range(9):
        people.append(member())
    for index, person in enumerate(people):
        person.team, person.site = team, site
        person.save()
        for extra in courses:
            if not Assignment.objects.filter(user=person.user, course=extra).exists():
                _assign(person, course=extra, due_on=TODAY + datetime.timedelta(days=index - 4))
    _complete(people[5].user, courses[2])
    large = _dashboard_queries(client, organisation)
    assert len(people) + 1 == 12
    assert large == small


# Assigning.


def test_assign_page_lists_only_the_organisations_chosen_members(
    as_user, manager, organisation, other_organisation, member, scenario, course
):
    outsider = member(organisation=other_organisation, name="Olive Outsider")
    query = f"member={scenario['sam'].user_id}&member={outsider.user_id}&member=nonsense"
    response = as_user(manager).get(_url("assign", organisation, query))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sam Midwife" in html
    assert "Olive Outsider" not in html
    assert f'name="member" value="{scenario["sam"].user_id}"' in html
    assert f'value="{outsider.user_id}"' not in html
    assert f'<option value="course:{course.pk}">Safeguarding babies</option>' in html
    assert 'type="date"' in html


def test_assign_page_without_a_choice_says_so(as_user, manager, organisation, other_manager):
    response = as_user(manager).get(_url("assign", organisation, f"member={other_manager.pk}"))
    assert response.status_code == 200
    assert "Select at least one member of staff on the dashboard." in _text(response)
    assert 'name="item_key"' not in response.content.decode()


def test_assigning_enrols_the_chosen_members_and_reports_back(
    as_user, manager, organisation, scenario, course
):
    second = create_course(title="Understanding attachment", modules=1, lessons_per_module=1)
    response = as_user(manager).post(
        _url("assign", organisation),
        {
            "member": [scenario["sam"].user_id, scenario["una"].user_id],
            "item_key": f"course:{second.pk}",
            "due_on": "2026-08-01",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == _url("dashboard", organisation)
    text = _text(response)
    assert "Assigned Understanding attachment to 2 members of staff." in text
    assignments = Assignment.objects.filter(course=second, organisation=organisation)
    assert {a.user_id for a in assignments} == {scenario["sam"].user_id, scenario["una"].user_id}
    assert {a.due_on for a in assignments} == {datetime.date(2026, 8, 1)}
    assert Enrolment.objects.filter(course=second).count() == 2
    # The new column shows on the dashboard.
    assert "Understanding attachment" in text


def test_assigning_someone_outside_the_organisation_changes_nothing(
    as_user, manager, organisation, other_organisation, member, scenario, course
):
    outsider = member(organisation=other_organisation, name="Olive Outsider")
    second = create_course(title="Understanding attachment", modules=1, lessons_per_module=1)
    before = Assignment.objects.count()
    response = as_user(manager).post(
        _url("assign", organisation),
        {
            "member": [scenario["sam"].user_id, outsider.user_id],
            "item_key": f"course:{second.pk}",
            "due_on": "2026-08-01",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "nhsuk-error-summary" in html
    assert "Olive Outsider" not in html
    assert Assignment.objects.count() == before
    assert not Enrolment.objects.filter(course=second).exists()
    # The form is offered again with only the organisation's own member.
    assert f'name="member" value="{scenario["sam"].user_id}"' in html
    assert f'value="{outsider.user_id}"' not in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"due_on": "2026-06-14"}, "The due date must be today or later."),
        ({"due_on": "not a date"}, "Enter the due date as a real date, like 27 3 2027."),
        ({"due_on": ""}, "Enter the date it is due by."),
        ({"item_key": "course:999999"}, "Choose a course or pathway from the list."),
        ({"item_key": ""}, "Choose a course or pathway to assign."),
        ({"member": []}, "Select at least one member of staff on the dashboard."),
        ({"member": ["x"]}, "Select members of staff from the dashboard."),
    ],
)
def test_bad_assignments_are_errors_and_change_nothing(
    as_user, manager, organisation, scenario, course, data, message
):
    second = create_course(title="Understanding attachment", modules=1, lessons_per_module=1)
    post = {
        "member": [scenario["sam"].user_id],
        "item_key": f"course:{second.pk}",
        "due_on": "2026-08-01",
        **data,
    }
    before = list(Assignment.objects.values_list("pk", "due_on"))
    response = as_user(manager).post(_url("assign", organisation), post)
    assert response.status_code == 400
    assert "nhsuk-error-summary" in response.content.decode()
    assert message in _text(response)
    assert list(Assignment.objects.values_list("pk", "due_on")) == before
    assert not Enrolment.objects.filter(course=second).exists()


# Reminding.


def test_remind_page_lists_what_each_chosen_member_has_outstanding(
    as_user, manager, organisation, scenario
):
    query = "&".join(f"member={scenario[k].user_id}" for k in ("sam", "pat", "una"))
    response = as_user(manager).get(_url("remind", organisation, query))
    assert response.status_code == 200
    text = _text(response)
    assert "Sam Midwife Safeguarding babies: Overdue due 12 June 2026" in text
    assert "Una Early Safeguarding babies: Not started due 25 June 2026" in text
    assert "Pat Visitor Nothing outstanding" in text


def test_sending_reminders_emails_people_with_something_outstanding(
    as_user, manager, organisation, scenario
):
    mail.outbox.clear()
    response = as_user(manager).post(
        _url("remind", organisation),
        {"member": [scenario["sam"].user_id, scenario["pat"].user_id]},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == _url("dashboard", organisation)
    text = _text(response)
    assert "Sent 1 reminder." in text
    assert "Pat Visitor has nothing outstanding" in text
    assert [message.to for message in mail.outbox] == [[scenario["sam"].user.email]]


def test_reminding_someone_outside_the_organisation_sends_nothing(
    as_user, manager, organisation, other_organisation, member, scenario
):
    outsider = member(organisation=other_organisation, name="Olive Outsider")
    mail.outbox.clear()
    response = as_user(manager).post(
        _url("remind", organisation),
        {"member": [scenario["sam"].user_id, outsider.user_id]},
    )
    assert response.status_code == 400
    assert "Choose staff from your organisation." in _text(response)
    assert "Olive Outsider" not in response.content.decode()
    assert not Reminder.objects.exists()
    assert mail.outbox == []
