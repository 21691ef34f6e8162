"""The compliance dashboard of an organisation with 5,000 staff and 10 mandatory courses.

One organisation: 5,000 active staff with profiles (mixed professional roles) in 20 teams and
5 sites, 10 published courses (half with certificates that expire after 12 months), a
mandatory rule for each, 50,000 assignments, and a realistic mix of learning records: valid,
expiring and expired completions, enrolments started and not started, and nothing at all.
Everything is written with ``bulk_create`` in batches, so making it takes well under a minute;
the data is kept in the benchmark database and reused by later runs.

Measured: the dashboard page (GET /compliance/<pk>/ as the organisation's manager, first
page of 50 rows, the whole matrix worked out behind it) plain, filtered to overdue, and
sorted by a course's status; and the matrix selector alone. Target: median under 500 ms with
a query count that does not grow with the number of staff.

Needs PostgreSQL (``DATABASE_URL=postgres://...``); on SQLite it prints why and skips, since
the target is about PostgreSQL. ``IMH_BENCH_COMPLIANCE_STAFF`` changes the number of staff.
"""

from __future__ import annotations

import datetime
import os
import random
import time
from decimal import Decimal

from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from bench.harness import Result, measure

STAFF = int(os.environ.get("IMH_BENCH_COMPLIANCE_STAFF", "5000"))
COURSES = 10
TEAMS = 20
SITES = 5
RUNS = 15
WARMUP = 2
BATCH = 2000
TARGET = "< 500 ms, constant queries"
ORGANISATION_NAME = f"Benchmark Community Trust ({STAFF} staff)"
USERNAME_PREFIX = f"bench-compliance-{STAFF}-"
UNUSABLE_PASSWORD = "!bench-no-login"  # noqa: S105 - "!" marks a password nobody can use
ROLES = [
    "health_visitor",
    "health_visitor",
    "midwife",
    "midwife",
    "nursery_nurse",
    "childrens_centre_worker",
    "perinatal_mental_health_practitioner",
    "psychologist",
    "other",
    "",
]
FIRST_NAMES = ["Amira", "Ben", "Chloe", "Dev", "Ella", "Femi", "Grace", "Hari", "Isla", "Jon"]
LAST_NAMES = ["Ahmed", "Brown", "Clarke", "Davies", "Evans", "Forde", "Green", "Hughes", "Iqbal"]


def _courses():
    from imh_courses.models import CourseIndexPage, CoursePage

    index = CourseIndexPage.objects.get()
    courses = []
    for number in range(1, COURSES + 1):
        slug = f"bench-compliance-course-{number}"
        course = CoursePage.objects.filter(slug=slug).first()
        if course is None:
            course = index.add_child(
                instance=CoursePage(
                    title=f"Mandatory course {number:02d}: safeguarding babies",
                    slug=slug,
                    summary="A mandatory course for the compliance benchmark.",
                    cpd_hours=Decimal("2.0"),
                    estimated_hours=Decimal("2.0"),
                    certificate_validity_months=12 if number % 2 else None,
                )
            )
            course.save_revision().publish()
        courses.append(course)
    return courses


def _organisation_existing():
    from imh_organisations.models import Membership, Organisation

    organisation = Organisation.objects.filter(name=ORGANISATION_NAME).first()
    if organisation is None:
        return None
    active = Membership.objects.filter(
        organisation=organisation, status=Membership.Status.ACTIVE, role=Membership.Role.STAFF
    ).count()
    if active != STAFF:
        raise RuntimeError(
            f"{ORGANISATION_NAME} has {active} staff, not {STAFF}: drop the benchmark "
            "database to start again."
        )
    return organisation


@transaction.atomic
def _generate(courses) -> object:
    from django.contrib.auth import get_user_model

    from imh_accounts.models import Profile
    from imh_compliance.models import Assignment, MandatoryRule
    from imh_compliance.services.facts import facts_reconcile
    from imh_courses.models import CourseCompletion, Enrolment
    from imh_organisations.models import Membership, Organisation, OrganisationType, Site, Team

    rng = random.Random(6)  # the same data every time
    now = timezone.now()
    today = timezone.localdate()
    user_model = get_user_model()
    organisation = Organisation.objects.create(
        name=ORGANISATION_NAME,
        slug=f"bench-compliance-{STAFF}",
        organisation_type=OrganisationType.NHS_TRUST,
    )
    teams = Team.objects.bulk_create(
        Team(organisation=organisation, name=f"Team {number:02d}") for number in range(TEAMS)
    )
    sites = Site.objects.bulk_create(
        Site(organisation=organisation, name=f"Site {number}") for number in range(SITES)
    )

    manager = user_model.objects.create(
        username=f"{USERNAME_PREFIX}manager",
        email=f"{USERNAME_PREFIX}manager@example.org",
        first_name="Morgan",
        last_name="Manager",
        password=UNUSABLE_PASSWORD,
    )
    Membership.objects.create(
        user=manager,
        organisation=organisation,
        role=Membership.Role.MANAGER,
        status=Membership.Status.ACTIVE,
    )
    users = user_model.objects.bulk_create(
        (
            user_model(
                username=f"{USERNAME_PREFIX}{number}",
                email=f"{USERNAME_PREFIX}{number}@example.org",
                first_name=FIRST_NAMES[number % len(FIRST_NAMES)],
                last_name=f"{LAST_NAMES[number % len(LAST_NAMES)]} {number}",
                password=UNUSABLE_PASSWORD,
            )
            for number in range(STAFF)
        ),
        batch_size=BATCH,
    )
    Profile.objects.bulk_create(
        (
            Profile(
                user=user,
                full_name=f"{user.first_name} {user.last_name}",
                professional_role=ROLES[number % len(ROLES)],
            )
            for number, user in enumerate(users)
        ),
        batch_size=BATCH,
    )
    Membership.objects.bulk_create(
        (
            Membership(
                user=user,
                organisation=organisation,
                role=Membership.Role.STAFF,
                status=Membership.Status.ACTIVE,
                team=teams[rng.randrange(TEAMS)] if rng.random() < 0.95 else None,
                site=sites[rng.randrange(SITES)] if rng.random() < 0.9 else None,
                decided_at=now,
            )
            for user in users
        ),
        batch_size=BATCH,
    )
    rules = MandatoryRule.objects.bulk_create(
        MandatoryRule(organisation=organisation, course=course, due_within_days=90)
        for course in courses
    )
    assignments = []
    enrolments = []
    completions = []  # (enrolment index, completed_at, expires_on)
    for user in users:
        for rule, course in zip(rules, courses, strict=True):
            assignments.append(
                Assignment(
                    organisation=organisation,
                    user=user,
                    rule=rule,
                    course=course,
                    source=Assignment.Source.RULE,
                    due_on=today + datetime.timedelta(days=rng.randint(-120, 180)),
                    assigned_at=now,
                )
            )
            roll = rng.random()
            if roll < 0.55:  # completed some time in the last two years
                completed_at = now - datetime.timedelta(days=rng.randint(1, 700))
                expires_on = None
                if course.certificate_validity_months:
                    expires_on = completed_at.date() + datetime.timedelta(days=365)
                enrolments.append(
                    Enrolment(
                        user=user,
                        course=course,
                        status=Enrolment.Status.COMPLETED,
                        source=Enrolment.Source.ASSIGNED,
                        enrolled_at=completed_at - datetime.timedelta(days=30),
                        last_activity_at=completed_at,
                        completed_at=completed_at,
                    )
                )
                completions.append((len(enrolments) - 1, completed_at, expires_on))
            elif roll < 0.85:  # enrolled; two in three have started
                enrolments.append(
                    Enrolment(
                        user=user,
                        course=course,
                        status=Enrolment.Status.ACTIVE,
                        source=Enrolment.Source.ASSIGNED,
                        enrolled_at=now - datetime.timedelta(days=rng.randint(1, 200)),
                        last_activity_at=now - datetime.timedelta(days=rng.randint(0, 30))
                        if rng.random() < 0.67
                        else None,
                    )
                )
    Assignment.objects.bulk_create(assignments, batch_size=BATCH)
    Enrolment.objects.bulk_create(enrolments, batch_size=BATCH)
    CourseCompletion.objects.bulk_create(
        (
            CourseCompletion(
                enrolment=enrolments[index],
                user_id=enrolments[index].user_id,
                course=enrolments[index].course,
                completed_at=completed_at,
                expires_on=expires_on,
                course_title=enrolments[index].course.title,
                cpd_hours=Decimal("2.0"),
                imh_level=1,
            )
            for index, completed_at, expires_on in completions
        ),
        batch_size=BATCH,
    )
    # Written around the services, as an import would be: the nightly check copies the
    # learning facts onto the assignments, as it would after an import.
    facts_reconcile()
    with connection.cursor() as cursor:  # fresh statistics, as autovacuum would keep them
        cursor.execute("ANALYZE")
    return organisation


def _manager(organisation):
    from imh_organisations.models import Membership

    return (
        Membership.objects.select_related("user")
        .get(organisation=organisation, role=Membership.Role.MANAGER)
        .user
    )


def run() -> list[Result]:
    if connection.vendor != "postgresql":
        print(
            "bench_compliance: skipped, needs PostgreSQL (DATABASE_URL=postgres://...); "
            "the dashboard's target is set for PostgreSQL.",
            flush=True,
        )
        return []
    from imh_compliance.selectors.cells import cells_for
    from imh_compliance.selectors.matrix import MatrixFilters, compliance_matrix
    from imh_compliance.status import NOT_REQUIRED, Status

    started = time.perf_counter()
    courses = _courses()
    organisation = _organisation_existing()
    made = organisation is None
    if made:
        organisation = _generate(courses)
    elapsed = time.perf_counter() - started

    from imh_compliance.models import Assignment
    from imh_courses.models import CourseCompletion, Enrolment

    print(
        f"bench_compliance: {STAFF} staff, {COURSES} courses, "
        f"{Assignment.objects.filter(organisation=organisation).count()} assignments, "
        f"{CourseCompletion.objects.filter(course__in=courses).count()} completions, "
        f"{Enrolment.objects.filter(course__in=courses, status='active').count()} open "
        f"enrolments; {'generated' if made else 'reused'} in {elapsed:.1f} s",
        flush=True,
    )

    client = Client()
    client.force_login(_manager(organisation))
    url = f"/compliance/{organisation.pk}/"
    column = f"course:{courses[0].pk}"

    def page(query: str = ""):
        def get():
            response = client.get(f"{url}{query}")
            if response.status_code != 200:
                raise RuntimeError(f"{url}{query} answered {response.status_code}")
            return response

        return get

    overdue = compliance_matrix(
        organisation=organisation, filters=MatrixFilters(status=Status.OVERDUE)
    )
    statuses = {cell.status for row in overdue.rows[:500] for cell in row.cells}
    print(
        f"bench_compliance: {len(overdue.rows)} staff with something overdue; "
        f"statuses seen: {', '.join(sorted(statuses))}",
        flush=True,
    )

    # The dashboard reads the facts stored on assignments; imh_compliance.status reads the
    # learning records themselves. Every cell of the data must come out the same.
    whole = compliance_matrix(organisation=organisation)
    reference = cells_for(
        organisation=organisation,
        columns=whole.columns,
        user_ids=[row.user_id for row in whole.rows],
        today=whole.today,
    )
    nothing = [NOT_REQUIRED] * len(whole.columns)  # people with no assignment (the manager)
    differing = sum(
        [(c.status, c.due_on, c.valid_until) for c in row.cells]
        != [(c.status, c.due_on, c.valid_until) for c in reference.get(row.user_id, nothing)]
        for row in whole.rows
    )
    if differing:
        raise RuntimeError(f"{differing} staff have statuses that differ from the rules")
    print(
        f"bench_compliance: every cell of {len(whole.rows)} staff agrees with the rules",
        flush=True,
    )

    results = [
        measure(
            f"compliance dashboard, {STAFF} staff x {COURSES}",
            page(),
            runs=RUNS,
            warmup=WARMUP,
            target=TARGET,
        ),
        measure(
            "compliance dashboard, status=overdue",
            page("?status=overdue"),
            runs=RUNS,
            warmup=WARMUP,
            target=TARGET,
        ),
        measure(
            "compliance dashboard, sorted by a course",
            page(f"?sort={column}&order=desc"),
            runs=RUNS,
            warmup=WARMUP,
            target=TARGET,
        ),
        measure(
            "compliance_matrix selector alone",
            lambda: compliance_matrix(organisation=organisation),
            runs=RUNS,
            warmup=WARMUP,
        ),
    ]
    return results
