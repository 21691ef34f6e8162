"""The demo's mandatory training: the trust's rules, teams, sites and a staff list to manage.

The trust makes the midwives' foundations course mandatory for midwives and health
visitors, and the health visitor pathway mandatory for health visitors; its manager has also
assigned the early years course to two people by hand. Eight more members of staff, in three
teams and two sites, have records that between them show every status on the manager's
dashboard: completed with a valid certificate, expiring soon, expired, overdue, in progress
and not started. Their past completions go through the real learning services (so each has
its certificate) and are then dated back to when they happened. Safe to run again.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone

from imh_accounts.services import profile_update
from imh_compliance.models import Assignment, MandatoryRule
from imh_compliance.services.assignments import assignments_create, rule_apply
from imh_compliance.services.rules import rule_create
from imh_courses.models import (
    CourseCompletion,
    CoursePage,
    Enrolment,
    LessonPage,
    LessonProgress,
    Pathway,
)
from imh_courses.services.certificates import course_certificate_issue
from imh_courses.services.learning import add_months, enrolment_create, lesson_complete
from imh_organisations.models import Membership, Organisation, Site, Team
from imh_organisations.services import (
    membership_create_active,
    membership_set_placement,
    site_create,
    team_create,
)

MIDWIVES_SLUG = "infant-mental-health-foundations-for-midwives"
EARLY_YEARS_SLUG = "parent-infant-relationships-in-early-years-settings"
PATHWAY_SLUG = "health-visitor-imh-pathway"

MATERNITY = "Maternity"
HV_NORTH = "Health visiting - North"
HV_SOUTH = "Health visiting - South"
FAMILY_SUPPORT = "Family support"
HOSPITAL = "Northshire General Hospital"
CHILDRENS_CENTRE = "Market Street Children's Centre"

# Where the demo's own logins sit in the trust.
PLACEMENTS = {"trainee": (HV_NORTH, CHILDRENS_CENTRE), "manager": (HV_NORTH, CHILDRENS_CENTRE)}


@dataclass(frozen=True)
class DemoStaff:
    key: str
    first_name: str
    last_name: str
    role: str
    job_title: str
    team: str
    site: str | None
    # What they have done on the midwives' course (or, for early years staff, that course):
    # "valid", "expiring", "expired", "overdue", "in_progress" or "not_started".
    record: str


STAFF = (
    DemoStaff(
        "aisha", "Aisha", "Khan", "midwife", "Community midwife", MATERNITY, HOSPITAL, "valid"
    ),
    DemoStaff("tom", "Tom", "Reid", "midwife", "Midwife", MATERNITY, HOSPITAL, "expiring"),
    DemoStaff(
        "grace",
        "Grace",
        "Obi",
        "health_visitor",
        "Health visitor",
        HV_NORTH,
        CHILDRENS_CENTRE,
        "expired",
    ),
    DemoStaff("dan", "Dan", "Hughes", "midwife", "Midwife", MATERNITY, HOSPITAL, "overdue"),
    DemoStaff(
        "meera",
        "Meera",
        "Patel",
        "health_visitor",
        "Health visitor",
        HV_SOUTH,
        CHILDRENS_CENTRE,
        "in_progress",
    ),
    DemoStaff(
        "owen",
        "Owen",
        "Jones",
        "health_visitor",
        "Student health visitor",
        HV_SOUTH,
        None,
        "not_started",
    ),
    DemoStaff(
        "ruth",
        "Ruth",
        "Ellis",
        "childrens_centre_worker",
        "Family support worker",
        FAMILY_SUPPORT,
        CHILDRENS_CENTRE,
        "not_started",
    ),
    DemoStaff(
        "kwame",
        "Kwame",
        "Mensah",
        "nursery_nurse",
        "Early years practitioner",
        FAMILY_SUPPORT,
        CHILDRENS_CENTRE,
        "valid",
    ),
)
# Assigned the early years course by the manager rather than by a rule.
EARLY_YEARS_STAFF = ("ruth", "kwame")

# How long ago each past completion happened, in days (the midwives' course lasts 24 months).
COMPLETED_DAYS_AGO = {"valid": 120, "expiring": 700, "expired": 790}
OVERDUE_BY_DAYS = 14


def _email(key: str) -> str:
    return f"{key}.demo-staff@example.org"


def _staff_user(spec: DemoStaff):
    """A member of staff who appears on the dashboard; they have no password to log in with."""
    user, created = get_user_model().objects.get_or_create(
        username=f"demo-staff-{spec.key}", defaults={"email": _email(spec.key)}
    )
    if created:
        user.first_name, user.last_name = spec.first_name, spec.last_name
        user.set_unusable_password()
        user.save()
        profile_update(
            user=user,
            full_name=f"{spec.first_name} {spec.last_name}",
            professional_role=spec.role,
            job_title=spec.job_title,
        )
    return user


def _group(model, create, *, organisation: Organisation, manager, name: str):
    existing = model.objects.filter(organisation=organisation, name__iexact=name).first()
    return existing or create(organisation=organisation, actor=manager, name=name)


def _membership(organisation: Organisation, user) -> Membership:
    membership = Membership.objects.filter(
        organisation=organisation, user=user, status=Membership.Status.ACTIVE
    ).first()
    return membership or membership_create_active(organisation=organisation, user=user)


def _rule(organisation: Organisation, *, item_key: str, roles: list[str], due: int, **filters):
    existing = MandatoryRule.objects.filter(organisation=organisation, **filters).first()
    rule = existing or rule_create(
        organisation=organisation,
        actor=None,
        item_key=item_key,
        roles=roles,
        due_within_days=due,
        renewal_days_before_expiry=60,
    )
    return rule


def _complete_in_the_past(user, course: CoursePage, *, days_ago: int) -> None:
    """Complete ``course`` through the services, then date it back to ``days_ago`` days ago.

    The certificate is issued from the dated-back completion, so it states the same dates.
    """
    if CourseCompletion.objects.filter(user=user, course=course).exists():
        return
    enrolment_create(user=user, course=course)
    for lesson in LessonPage.objects.live().descendant_of(course).order_by("path"):
        lesson_complete(user=user, lesson=lesson)
    completion = CourseCompletion.objects.get(user=user, course=course)
    when = timezone.now() - datetime.timedelta(days=days_ago)
    months = course.certificate_validity_months
    completion.completed_at = when
    completion.expires_on = add_months(timezone.localdate(when), months) if months else None
    completion.save(update_fields=["completed_at", "expires_on"])
    Enrolment.objects.filter(pk=completion.enrolment_id).update(
        enrolled_at=when - datetime.timedelta(days=21), last_activity_at=when, completed_at=when
    )
    LessonProgress.objects.filter(enrolment_id=completion.enrolment_id).update(completed_at=when)
    course_certificate_issue(completion=completion)


def _start(user, course: CoursePage) -> None:
    """Open the course and complete its first lesson (once)."""
    if Enrolment.objects.filter(user=user, course=course).exclude(last_activity_at=None).exists():
        return
    enrolment_create(user=user, course=course)
    first = LessonPage.objects.live().descendant_of(course).order_by("path").first()
    lesson_complete(user=user, lesson=first)


def _make_overdue(organisation: Organisation, user, course: CoursePage) -> None:
    """They joined long enough ago that the course was due two weeks ago."""
    due_on = timezone.localdate() - datetime.timedelta(days=OVERDUE_BY_DAYS)
    Assignment.objects.filter(organisation=organisation, user=user, course=course).update(
        due_on=due_on
    )
    Enrolment.objects.filter(user=user, course=course, status=Enrolment.Status.ACTIVE).update(
        due_on=due_on
    )


def demo_compliance_load(*, organisation: Organisation, manager, trainee) -> None:
    """Rules, teams, sites and staff for the trust's compliance dashboard. Safe to run again."""
    midwives = CoursePage.objects.filter(slug=MIDWIVES_SLUG).first()
    early_years = CoursePage.objects.filter(slug=EARLY_YEARS_SLUG).first()
    pathway = Pathway.objects.filter(slug=PATHWAY_SLUG).first()
    if midwives is None or early_years is None or pathway is None:
        return

    teams = {
        name: _group(Team, team_create, organisation=organisation, manager=manager, name=name)
        for name in (MATERNITY, HV_NORTH, HV_SOUTH, FAMILY_SUPPORT)
    }
    sites = {
        name: _group(Site, site_create, organisation=organisation, manager=manager, name=name)
        for name in (HOSPITAL, CHILDRENS_CENTRE)
    }
    rules = [
        _rule(
            organisation,
            item_key=f"course:{midwives.pk}",
            roles=["midwife", "health_visitor"],
            due=90,
            course=midwives,
        ),
        _rule(
            organisation,
            item_key=f"pathway:{pathway.pk}",
            roles=["health_visitor"],
            due=365,
            pathway=pathway,
        ),
    ]

    for user, (team, site) in ((trainee, PLACEMENTS["trainee"]), (manager, PLACEMENTS["manager"])):
        membership = _membership(organisation, user)
        if membership.team_id is None:
            membership_set_placement(
                membership=membership, actor=manager, team=teams[team], site=sites[site]
            )

    people = {}
    for spec in STAFF:
        user = _staff_user(spec)
        membership = _membership(organisation, user)
        if membership.team_id is None:
            membership_set_placement(
                membership=membership,
                actor=manager,
                team=teams[spec.team],
                site=sites[spec.site] if spec.site else None,
            )
        people[spec.key] = (spec, user)

    # Everyone the rules apply to is assigned now, so the records below have assignments
    # to belong to (the background run after commit then finds nothing left to do).
    for rule in rules:
        rule_apply(rule=rule)

    chosen = [people[key][1] for key in EARLY_YEARS_STAFF]
    if not Assignment.objects.filter(
        organisation=organisation, user__in=chosen, course=early_years
    ).exists():
        assignments_create(
            organisation=organisation,
            actor=manager,
            user_ids=[user.pk for user in chosen],
            item_key=f"course:{early_years.pk}",
            due_on=timezone.localdate() + datetime.timedelta(days=28),
        )

    for key, (spec, user) in people.items():
        course = early_years if key in EARLY_YEARS_STAFF else midwives
        if spec.record in COMPLETED_DAYS_AGO:
            _complete_in_the_past(user, course, days_ago=COMPLETED_DAYS_AGO[spec.record])
        elif spec.record == "in_progress":
            _start(user, course)
        elif spec.record == "overdue":
            _make_overdue(organisation, user, course)
