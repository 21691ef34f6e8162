"""The compliance matrix from real records: statuses over time, filters, sorting and totals."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imh_accounts.choices import ProfessionalRole
from imh_compliance.models import Assignment, MandatoryRule
from imh_compliance.selectors.cells import cells_for, member_cells
from imh_compliance.selectors.columns import columns_for
from imh_compliance.selectors.matrix import (
    NO_ROLE,
    MatrixFilters,
    compliance_matrix,
    matrix_rows_detail,
)
from imh_compliance.status import Status
from imh_courses.models import CourseCompletion, Enrolment, Pathway, PathwayCourse
from imh_organisations.models import Membership, Site, Team
from tests.accounts.factories import ProfileFactory
from tests.courses.factories import create_course
from tests.factories import UserFactory
from tests.organisations.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

D0 = datetime.date(2027, 3, 10)


def day(offset: int) -> datetime.date:
    return D0 + datetime.timedelta(days=offset)


def moment(date: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(date, datetime.time(12), tzinfo=datetime.UTC)


def on(offset: int):
    """Freeze the clock at noon, ``offset`` days after D0."""
    return time_machine.travel(moment(day(offset)), tick=False)


# Records, made directly (the learning services are tested in tests/courses).


def course(title: str, **fields):
    fields.setdefault("modules", 0)  # statuses come from the records, not the lessons
    return create_course(title=title, **fields)


def pathway(title: str, *courses) -> Pathway:
    made = Pathway.objects.create(title=title, slug=title.lower().replace(" ", "-"))
    for order, item in enumerate(courses):
        PathwayCourse.objects.create(pathway=made, course=item, sort_order=order)
    return made


def person(organisation, name: str, email: str, role: str = "", *, team=None, site=None, **kw):
    user = UserFactory(username=email.split("@")[0], email=email)
    ProfileFactory(user=user, full_name=name, professional_role=role)
    MembershipFactory(user=user, organisation=organisation, team=team, site=site, **kw)
    return user


def assign(organisation, user, item, *, due: int, rule=None) -> Assignment:
    field = "pathway" if isinstance(item, Pathway) else "course"
    return Assignment.objects.create(
        organisation=organisation,
        user=user,
        rule=rule,
        source=Assignment.Source.RULE if rule else Assignment.Source.MANAGER,
        due_on=day(due),
        **{field: item},
    )


def complete(user, item, *, completed: int, expires: int | None) -> CourseCompletion:
    cycle = Enrolment.objects.filter(user=user, course=item).count() + 1
    enrolment = Enrolment.objects.create(
        user=user,
        course=item,
        status=Enrolment.Status.COMPLETED,
        enrolled_at=moment(day(completed - 20)),
        completed_at=moment(day(completed)),
        cycle=cycle,
    )
    return CourseCompletion.objects.create(
        enrolment=enrolment,
        user=user,
        course=item,
        completed_at=moment(day(completed)),
        expires_on=None if expires is None else day(expires),
        course_title=item.title,
        cpd_hours=Decimal("3.0"),
        imh_level=1,
    )


def enrol(user, item, *, started: bool) -> Enrolment:
    cycle = Enrolment.objects.filter(user=user, course=item).count() + 1
    return Enrolment.objects.create(
        user=user,
        course=item,
        status=Enrolment.Status.ACTIVE,
        enrolled_at=moment(day(-5)),
        last_activity_at=moment(day(-1)) if started else None,
        cycle=cycle,
    )


class World:
    pass


@pytest.fixture
def world() -> World:
    w = World()
    w.org = OrganisationFactory(name="Northshire Trust")
    w.other = OrganisationFactory(name="Southshire Council")
    w.north = Team.objects.create(organisation=w.org, name="North")
    w.south = Team.objects.create(organisation=w.org, name="South")
    w.clinic_a = Site.objects.create(organisation=w.org, name="Clinic A")
    w.clinic_b = Site.objects.create(organisation=w.org, name="Clinic B")

    w.safeguarding = course("Safeguarding babies", certificate_validity_months=12)
    w.foundations = course("Foundations")
    w.attunement = course("Attunement")
    w.retired = course("Retired course")
    w.extra = course("Extra course")
    w.pathway = pathway("Health visitor pathway", w.foundations, w.attunement)

    w.rule = MandatoryRule.objects.create(organisation=w.org, course=w.safeguarding)
    # Inactive rules: one with nothing assigned (no column), one assigned by hand (a column).
    MandatoryRule.objects.create(organisation=w.org, course=w.retired, is_active=False)
    MandatoryRule.objects.create(organisation=w.org, course=w.extra, is_active=False)
    MandatoryRule.objects.create(organisation=w.other, course=w.foundations)

    w.alice = person(
        w.org,
        "Alice Adams",
        "alice.adams@example.org",
        ProfessionalRole.MIDWIFE,
        team=w.north,
        site=w.clinic_a,
    )
    w.bob = person(
        w.org,
        "Bob Brown",
        "bob.brown@example.org",
        ProfessionalRole.HEALTH_VISITOR,
        team=w.south,
        site=w.clinic_b,
    )
    w.carol = person(w.org, "Carol Clark", "carol.clark@example.org")

    assign(w.org, w.alice, w.safeguarding, due=10, rule=w.rule)
    complete(w.alice, w.safeguarding, completed=-265, expires=100)

    assign(w.org, w.bob, w.safeguarding, due=5, rule=w.rule)
    assign(w.org, w.bob, w.pathway, due=30)
    complete(w.bob, w.foundations, completed=-40, expires=None)
    enrol(w.bob, w.attunement, started=True)

    assign(w.org, w.carol, w.safeguarding, due=20, rule=w.rule)
    enrol(w.carol, w.safeguarding, started=True)
    assign(w.org, w.carol, w.extra, due=-3)

    # Not shown: waiting for approval, left, or in another organisation only.
    w.dave = person(w.org, "Dave Pending", "dave@example.org", status=Membership.Status.PENDING)
    w.erin = person(w.org, "Erin Left", "erin@example.org", status=Membership.Status.LEFT)
    w.frank = person(w.other, "Frank Other", "frank@example.org", ProfessionalRole.MIDWIFE)
    for outsider in (w.dave, w.erin):
        assign(w.org, outsider, w.safeguarding, due=-10, rule=w.rule)
        assign(w.org, outsider, w.attunement, due=-10)
    assign(w.other, w.frank, w.foundations, due=-10)
    assign(w.other, w.frank, w.retired, due=-10)
    return w


def matrix(w: World, **filters):
    return compliance_matrix(organisation=w.org, filters=MatrixFilters(**filters))


def grid(m) -> dict[str, list[str]]:
    return {row.name: [cell.status for cell in row.cells] for row in m.rows}


def names(m) -> list[str]:
    return [row.name for row in m.rows]


class TestColumnsAndMembers:
    def test_columns_are_active_rules_then_assigned_items(self, world):
        columns = columns_for(organisation=world.org)
        assert [c.key for c in columns] == [
            f"course:{world.safeguarding.pk}",
            f"course:{world.extra.pk}",
            f"pathway:{world.pathway.pk}",
        ]
        assert [c.title for c in columns] == [
            "Safeguarding babies",
            "Extra course",
            "Health visitor pathway",
        ]
        assert columns[0].rule_id == world.rule.pk
        assert columns[1].rule_id is None
        assert columns[2].course_ids == (world.foundations.pk, world.attunement.pk)

    def test_only_active_members_of_this_organisation(self, world):
        with on(0):
            m = matrix(world)
        assert names(m) == ["Alice Adams", "Bob Brown", "Carol Clark"]
        assert m.member_count == 3
        other = compliance_matrix(organisation=world.other)
        assert names(other) == ["Frank Other"]
        assert [c.key for c in other.columns] == [
            f"course:{world.foundations.pk}",
            f"course:{world.retired.pk}",
        ]

    def test_row_details(self, world):
        with on(0):
            alice, bob, carol = matrix(world).rows
        assert (alice.email, alice.role, alice.team, alice.site) == (
            "alice.adams@example.org",
            "midwife",
            "North",
            "Clinic A",
        )
        assert (alice.team_id, alice.site_id) == (world.north.pk, world.clinic_a.pk)
        assert alice.role_label == "Midwife"
        assert (carol.role, carol.role_label, carol.team, carol.team_id) == (
            "",
            "Not recorded",
            "",
            None,
        )
        assert alice.summary == "Compliant"
        assert bob.summary == "On track"
        assert carol.summary == "Not compliant"  # the extra course is overdue


class TestStatusesOverTime:
    def test_today(self, world):
        with on(0):
            m = matrix(world)
        assert m.today == D0
        assert grid(m) == {
            "Alice Adams": [Status.COMPLETED, Status.NOT_REQUIRED, Status.NOT_REQUIRED],
            "Bob Brown": [Status.NOT_STARTED, Status.NOT_REQUIRED, Status.IN_PROGRESS],
            "Carol Clark": [Status.IN_PROGRESS, Status.OVERDUE, Status.NOT_REQUIRED],
        }
        alice = m.rows[0]
        assert alice.cells[0].valid_until == day(100)
        # The member's record also says when it was completed.
        with on(0):
            (_, cell), *_ = member_cells(organisation=world.org, user_id=world.alice.pk)
        assert cell.completed_on == day(-265)

    def test_due_date_boundary(self, world):
        with on(5):
            assert grid(matrix(world))["Bob Brown"][0] == Status.NOT_STARTED
        with on(6):
            cell = matrix(world).rows[1].cells[0]
        assert cell.status == Status.OVERDUE
        assert cell.due_on == day(5)

    def test_expiring_boundary(self, world):
        with on(39):  # 61 days before expiry
            assert grid(matrix(world))["Alice Adams"][0] == Status.COMPLETED
        with on(40):  # exactly 60 days before
            assert grid(matrix(world))["Alice Adams"][0] == Status.EXPIRING

    def test_expiry_boundary(self, world):
        with on(100):  # valid until today
            assert grid(matrix(world))["Alice Adams"][0] == Status.EXPIRING
        with on(101):
            m = matrix(world)
        assert grid(m) == {
            "Alice Adams": [Status.EXPIRED, Status.NOT_REQUIRED, Status.NOT_REQUIRED],
            "Bob Brown": [Status.OVERDUE, Status.NOT_REQUIRED, Status.OVERDUE],
            "Carol Clark": [Status.OVERDUE, Status.OVERDUE, Status.NOT_REQUIRED],
        }

    def test_pathway_completes_when_its_last_course_does(self, world):
        complete(world.bob, world.attunement, completed=-1, expires=None)
        Enrolment.objects.filter(
            user=world.bob, course=world.attunement, status=Enrolment.Status.ACTIVE
        ).update(status=Enrolment.Status.WITHDRAWN)
        with on(400):
            cell = matrix(world).rows[1].cells[2]
        assert cell.status == Status.COMPLETED
        assert cell.valid_until is None

    def test_renewal_keeps_the_latest_expiry(self, world):
        complete(world.alice, world.safeguarding, completed=90, expires=455)
        with on(101):
            assert grid(matrix(world))["Alice Adams"][0] == Status.COMPLETED
        with on(456):
            assert grid(matrix(world))["Alice Adams"][0] == Status.EXPIRED


class TestDatabaseAgreesWithTheRules:
    """The matrix's statuses come from SQL; ``imh_compliance.status`` is the reference."""

    @pytest.mark.parametrize("offset", [-300, 0, 5, 6, 20, 21, 39, 40, 100, 101, 400])
    def test_every_cell_on_every_boundary(self, world, offset):
        complete(world.carol, world.extra, completed=-500, expires=-400)
        with on(offset):
            m = matrix(world)
            summary = compliance_matrix(organisation=world.org, detail=False)
            expected = cells_for(
                organisation=world.org,
                columns=m.columns,
                user_ids=[row.user_id for row in m.rows],
                today=day(offset),
            )
        for row in m.rows:
            reference = expected.get(row.user_id)
            want = (
                [(c.status, c.due_on, c.valid_until) for c in reference]
                if reference
                else [(Status.NOT_REQUIRED, None, None)] * len(m.columns)
            )
            assert [(c.status, c.due_on, c.valid_until) for c in row.cells] == want, row.name
        assert grid(summary) == grid(m)
        assert summary.totals == m.totals

    def test_a_page_gets_its_dates(self, world):
        with on(6):
            summary = compliance_matrix(organisation=world.org, detail=False)
            page = summary.rows[1:2]
            assert page[0].cells[0].due_on is None  # statuses only, so far
            matrix_rows_detail(
                organisation=world.org, columns=summary.columns, rows=page, today=day(6)
            )
        assert page[0].name == "Bob Brown"
        assert (page[0].cells[0].status, page[0].cells[0].due_on) == (Status.OVERDUE, day(5))


class TestFilters:
    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("brown", ["Bob Brown"]),
            ("ALICE", ["Alice Adams"]),
            ("ADAMS@EXAMPLE", ["Alice Adams"]),
            ("example.org", ["Alice Adams", "Bob Brown", "Carol Clark"]),
            ("nobody", []),
        ],
    )
    def test_search_by_name_or_email(self, world, query, expected):
        with on(0):
            assert names(matrix(world, q=query)) == expected

    def test_role(self, world):
        with on(0):
            assert names(matrix(world, role=ProfessionalRole.MIDWIFE)) == ["Alice Adams"]
            assert names(matrix(world, role=NO_ROLE)) == ["Carol Clark"]
            assert names(matrix(world, role=ProfessionalRole.PSYCHOLOGIST)) == []

    def test_team_and_site(self, world):
        with on(0):
            assert names(matrix(world, team_id=world.north.pk)) == ["Alice Adams"]
            assert names(matrix(world, site_id=world.clinic_b.pk)) == ["Bob Brown"]
            both = matrix(world, team_id=world.north.pk, site_id=world.clinic_b.pk)
        assert names(both) == []

    def test_status_in_any_column_or_one(self, world):
        pathway_key = f"pathway:{world.pathway.pk}"
        safeguarding_key = f"course:{world.safeguarding.pk}"
        with on(0):
            assert names(matrix(world, status=Status.IN_PROGRESS)) == ["Bob Brown", "Carol Clark"]
            assert names(matrix(world, status=Status.IN_PROGRESS, column=pathway_key)) == [
                "Bob Brown"
            ]
            assert names(matrix(world, status=Status.IN_PROGRESS, column=safeguarding_key)) == [
                "Carol Clark"
            ]
            assert names(matrix(world, status=Status.OVERDUE)) == ["Carol Clark"]
            assert names(matrix(world, status=Status.EXPIRED)) == []
        with on(6):
            assert names(matrix(world, status=Status.OVERDUE)) == ["Bob Brown", "Carol Clark"]

    def test_member_user_ids(self, world):
        chosen = frozenset({world.alice.pk, world.carol.pk, world.erin.pk, world.frank.pk})
        with on(0):
            m = matrix(world, member_user_ids=chosen)
        assert names(m) == ["Alice Adams", "Carol Clark"]
        assert m.member_count == 2
        assert grid(m)["Carol Clark"] == [Status.IN_PROGRESS, Status.OVERDUE, Status.NOT_REQUIRED]

    def test_filters_round_trip_without_the_selection(self):
        filters = MatrixFilters(q="x", role="midwife", team_id=3, sort="team", descending=True)
        assert MatrixFilters.from_dict(filters.as_dict()) == filters
        chosen = MatrixFilters(member_user_ids=frozenset({1}))
        assert MatrixFilters.from_dict({**chosen.as_dict(), "member_user_ids": [1]}) == (
            MatrixFilters()
        )


class TestSorting:
    @pytest.mark.parametrize(
        ("sort", "expected"),
        [
            ("name", ["Alice Adams", "Bob Brown", "Carol Clark"]),
            # Health visitor, Midwife, Not recorded.
            ("role", ["Bob Brown", "Alice Adams", "Carol Clark"]),
            # North, South, then no team.
            ("team", ["Alice Adams", "Bob Brown", "Carol Clark"]),
            ("site", ["Alice Adams", "Bob Brown", "Carol Clark"]),
        ],
    )
    def test_by_person(self, world, sort, expected):
        with on(0):
            assert names(matrix(world, sort=sort)) == expected
            assert names(matrix(world, sort=sort, descending=True)) == expected[::-1]

    def test_team_puts_the_teamless_last(self, world):
        Membership.objects.filter(user=world.alice).update(team=None)
        with on(0):
            assert names(matrix(world, sort="team")) == ["Bob Brown", "Alice Adams", "Carol Clark"]

    def test_by_column_worst_first(self, world):
        key = f"course:{world.safeguarding.pk}"
        with on(0):
            # Not started, in progress, completed.
            assert names(matrix(world, sort=key)) == ["Bob Brown", "Carol Clark", "Alice Adams"]
            assert names(matrix(world, sort=key, descending=True)) == [
                "Alice Adams",
                "Carol Clark",
                "Bob Brown",
            ]
        with on(101):
            # Overdue (Bob, Carol by name) before expired (Alice).
            assert names(matrix(world, sort=key)) == ["Bob Brown", "Carol Clark", "Alice Adams"]
        with on(6):
            # Overdue (Bob), in progress (Carol), completed (Alice).
            assert names(matrix(world, sort=key)) == ["Bob Brown", "Carol Clark", "Alice Adams"]
        extra = f"course:{world.extra.pk}"
        with on(0):
            assert names(matrix(world, sort=extra)) == ["Carol Clark", "Alice Adams", "Bob Brown"]


class TestTotals:
    def test_per_column_over_all_rows(self, world):
        with on(0):
            m = matrix(world)
        assert m.totals == [
            {Status.COMPLETED: 1, Status.NOT_STARTED: 1, Status.IN_PROGRESS: 1},
            {Status.NOT_REQUIRED: 2, Status.OVERDUE: 1},
            {Status.NOT_REQUIRED: 2, Status.IN_PROGRESS: 1},
        ]
        assert Status.NOT_REQUIRED not in m.statuses
        assert m.statuses[0] == Status.OVERDUE

    def test_over_the_filtered_rows_only(self, world):
        with on(101):
            m = matrix(world, team_id=world.north.pk)
        assert m.member_count == 3
        assert m.totals == [
            {Status.EXPIRED: 1},
            {Status.NOT_REQUIRED: 1},
            {Status.NOT_REQUIRED: 1},
        ]
        with on(101):
            overdue = matrix(world, status=Status.OVERDUE)
        assert overdue.totals[0] == {Status.OVERDUE: 2}
        assert overdue.totals[2] == {Status.OVERDUE: 1, Status.NOT_REQUIRED: 1}


def _organisation_with(*, members: int, courses: int, with_pathway: bool):
    organisation = OrganisationFactory()
    team = Team.objects.create(organisation=organisation, name="Team")
    site = Site.objects.create(organisation=organisation, name="Site")
    items = [
        course(f"Course {organisation.pk}-{n}", certificate_validity_months=12)
        for n in range(courses)
    ]
    if with_pathway:
        items.append(pathway(f"Pathway {organisation.pk}", items[0], items[1]))
    rules = []
    for item in items:
        field = "pathway" if isinstance(item, Pathway) else "course"
        rules.append(MandatoryRule.objects.create(organisation=organisation, **{field: item}))
    roles = [ProfessionalRole.MIDWIFE, ProfessionalRole.HEALTH_VISITOR, ""]
    for n in range(members):
        user = person(
            organisation,
            f"Member {n}",
            f"member-{organisation.pk}-{n}@example.org",
            roles[n % 3],
            team=team if n % 2 else None,
            site=site if n % 3 else None,
        )
        for rule, item in zip(rules, items, strict=True):
            assign(organisation, user, item, due=n - 10, rule=rule)
        if n % 4 == 0:
            complete(user, items[0], completed=-300, expires=n)
        elif n % 4 == 1:
            enrol(user, items[0], started=bool(n % 3))
    return organisation


def test_query_count_does_not_grow_with_staff_or_columns(django_assert_num_queries):
    small = _organisation_with(members=3, courses=1, with_pathway=False)
    large = _organisation_with(members=25, courses=4, with_pathway=True)
    filters = MatrixFilters(status=Status.OVERDUE, sort="team")
    with on(0):
        compliance_matrix(organisation=small)  # warm any caches
        with CaptureQueriesContext(connection) as captured:
            small_matrix = compliance_matrix(organisation=small, filters=filters)
        count = len(captured.captured_queries)
        assert count <= 10
        with django_assert_num_queries(count):
            large_matrix = compliance_matrix(organisation=large, filters=filters)
    assert len(small_matrix.columns) == 1
    assert len(large_matrix.columns) == 5
    assert large_matrix.member_count == 25
    assert large_matrix.rows  # some are overdue
    assert all(
        any(cell.status == Status.OVERDUE for cell in row.cells) for row in large_matrix.rows
    )
