"""Who must complete what, by when: assignments from rules, from managers, and renewals.

An ``Assignment`` is the organisation's requirement (one per member, organisation and course
or pathway); the learning itself happens in enrolments, made here through
``imh_courses.services.learning.enrolment_create``. An enrolment that cannot be made yet (a
missing prerequisite, an unpublished course) never undoes the assignment: the reason is kept
on ``Assignment.enrolment_problem`` and the enrolment is tried again later (daily, and when
the person completes a course).

Every member of an organisation is staff for these purposes: a rule applies to managers as
well, when their professional role matches. Enrolments are always "assigned" (so a course
closed to self-enrolment can still be given): by the manager who acted, and for rules by the
manager who made the rule while they still manage the organisation, otherwise by its
longest-standing active manager. An organisation with no manager gets its assignments, and
its enrolments once someone manages it.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from imh_accounts.models import Profile
from imh_compliance.models import Assignment, MandatoryRule
from imh_compliance.selectors.access import active_members
from imh_compliance.selectors.rules import item_for_key
from imh_compliance.services.facts import facts_reconcile
from imh_core.people import person_name
from imh_courses.models import CoursePage, Pathway, PathwayCourse
from imh_courses.selectors import records
from imh_courses.services.learning import enrolment_create
from imh_organisations.models import Membership, Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)

PROBLEM_MAX_LENGTH = 500
# Foreign keys the services set from objects they already hold: not fetched again to validate.
_HELD_KEYS = ["organisation", "user", "rule", "course", "pathway", "assigned_by"]


@dataclass
class AssignmentOutcome:
    """What assigning did: new assignments, moved due dates, and enrolments not yet made."""

    assigned: int = 0
    updated: int = 0
    problems: list[str] = field(default_factory=list)


# Helpers.


def require_manager(*, organisation: Organisation, actor: AbstractBaseUser | None) -> None:
    """PermissionDenied unless ``actor`` actively manages ``organisation``."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(
            _("Only a manager of %(organisation)s can do this.")
            % {"organisation": organisation.name}
        )
    if not Membership.objects.filter(
        organisation=organisation,
        user=actor,
        role=Membership.Role.MANAGER,
        status=Membership.Status.ACTIVE,
    ).exists():
        raise PermissionDenied(
            _("Only a manager of %(organisation)s can do this.")
            % {"organisation": organisation.name}
        )


def _item_filter(item: CoursePage | Pathway) -> dict[str, int]:
    if isinstance(item, Pathway):
        return {"pathway_id": item.pk}
    return {"course_id": item.pk}


def _item_fields(item: CoursePage | Pathway) -> dict[str, object]:
    if isinstance(item, Pathway):
        return {"course": None, "pathway": item}
    return {"course": item, "pathway": None}


def _item_courses(item: CoursePage | Pathway) -> list[CoursePage]:
    """The course, or the pathway's courses in order."""
    if isinstance(item, Pathway):
        return [
            link.course
            for link in PathwayCourse.objects.filter(pathway=item)
            .select_related("course")
            .order_by("sort_order", "pk")
        ]
    return [item]


def _role_of(user: AbstractBaseUser) -> str:
    # Read from the database: a user object loaded before their profile was made would
    # otherwise keep answering "no profile".
    return (
        Profile.objects.filter(user_id=user.pk).values_list("professional_role", flat=True).first()
        or ""
    )


def _assigner(
    *, organisation_id: int, preferred: AbstractBaseUser | None
) -> AbstractBaseUser | None:
    """Who enrolments are assigned by: ``preferred`` while they manage the organisation,
    otherwise its longest-standing active manager (None when it has none)."""
    managers = Membership.objects.filter(
        organisation_id=organisation_id,
        role=Membership.Role.MANAGER,
        status=Membership.Status.ACTIVE,
    )
    if preferred is not None and managers.filter(user_id=preferred.pk).exists():
        return preferred
    first = managers.select_related("user").order_by("decided_at", "pk").first()
    return first.user if first is not None else None


def _problem_text(messages: Iterable[str]) -> str:
    return " ".join(messages)[:PROBLEM_MAX_LENGTH]


def _due_date_moves_earlier(current: datetime.date | None, due_on: datetime.date | None) -> bool:
    """Whether an open enrolment due on ``current`` should take ``due_on`` instead."""
    return due_on is not None and (current is None or due_on < current)


def _enrolments_make(
    *,
    user: AbstractBaseUser,
    item: CoursePage | Pathway,
    organisation: Organisation,
    assigned_by: AbstractBaseUser | None,
    due_on: datetime.date | None,
    today: datetime.date,
    update_open: bool,
) -> str:
    """Enrol ``user`` on the item's courses they have still to complete; the problems, if any.

    A course completed and still valid on ``today`` needs nothing. In a pathway, a course
    whose prerequisite is an earlier course of the pathway not yet completed waits for it
    (it is enrolled when that one is completed). With ``update_open`` an open enrolment takes
    the new due date; otherwise it takes it only when it has none or a later one, so someone
    who enrolled before their employer made the course mandatory sees the employer's date.
    Each enrolment has its own savepoint, so a refusal (a missing prerequisite, an
    unpublished course) undoes nothing else.
    """
    courses = _item_courses(item)
    if not courses:
        return ""
    course_ids = [course.pk for course in courses]
    completions = records.completion_summaries(user_ids=[user.pk], course_ids=course_ids)
    open_enrolments = (
        {}
        if update_open
        else records.open_enrolment_summaries(user_ids=[user.pk], course_ids=course_ids)
    )

    def valid(course: CoursePage) -> bool:
        summary = completions.get((user.pk, course.pk))
        return summary is not None and (summary.valid_until is None or summary.valid_until >= today)

    outstanding = [course for course in courses if not valid(course)]
    outstanding_ids = {course.pk for course in outstanding}
    # The employer's date, even when it has passed: the trainee sees what their record says.
    enrolment_due = due_on
    problems: list[str] = []
    for course in outstanding:
        current = open_enrolments.get((user.pk, course.pk))
        if current is not None:
            # Enrolled already: only the due date may need to move (enrolment_create moves
            # it, and the enrolment becomes an assigned one).
            if assigned_by is None or not _due_date_moves_earlier(current.due_on, enrolment_due):
                continue
        elif len(courses) > 1:
            waits_for = set(
                CoursePage.objects.live().filter(required_by=course).values_list("pk", flat=True)
            )
            if waits_for & (outstanding_ids - {course.pk}):
                continue
        if assigned_by is None:
            problems.append(
                _(
                    "Nobody manages %(organisation)s at the moment, so “%(course)s” could "
                    "not be assigned. It will be once someone does."
                )
                % {"organisation": organisation.name, "course": course.title}
            )
            continue
        try:
            with transaction.atomic():
                enrolment_create(
                    user=user,
                    course=course,
                    assigned_by=assigned_by,
                    due_on=enrolment_due,
                    overdue_allowed=True,
                )
        except ValidationError as error:
            if getattr(error, "code", None) == "already_completed":
                continue  # A course that never expires, done before: the requirement is met.
            problems.append(" ".join(error.messages))
    return _problem_text(problems)


def _assignment_add(
    *,
    organisation: Organisation,
    user: AbstractBaseUser,
    item: CoursePage | Pathway,
    due_on: datetime.date,
    source: str,
    rule: MandatoryRule | None = None,
    assigned_by: AbstractBaseUser | None = None,
) -> Assignment | None:
    """A new assignment, or None when one was made a moment ago by another request."""
    assignment = Assignment(
        organisation=organisation,
        user=user,
        rule=rule,
        source=source,
        due_on=due_on,
        assigned_by=assigned_by,
        assigned_at=timezone.now(),
        **_item_fields(item),
    )
    assignment.full_clean(exclude=_HELD_KEYS, validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        return None
    return assignment


def _problem_save(assignment: Assignment, problem: str) -> None:
    if assignment.enrolment_problem != problem:
        assignment.enrolment_problem = problem
        assignment.save(update_fields=["enrolment_problem"])


def _rule_assign(
    *,
    rule: MandatoryRule,
    user: AbstractBaseUser,
    today: datetime.date,
    assigner: AbstractBaseUser | None,
) -> Assignment | None:
    item = rule.item
    assignment = _assignment_add(
        organisation=rule.organisation,
        user=user,
        item=item,
        rule=rule,
        source=Assignment.Source.RULE,
        due_on=today + datetime.timedelta(days=rule.due_within_days),
    )
    if assignment is None:
        return None
    problem = _enrolments_make(
        user=user,
        item=item,
        organisation=rule.organisation,
        assigned_by=assigner,
        due_on=assignment.due_on,
        today=today,
        update_open=False,
    )
    _problem_save(assignment, problem)
    return assignment


# Rules.


@transaction.atomic
def rule_apply(*, rule: MandatoryRule, today: datetime.date | None = None) -> int:
    """Assign an active rule's item to every current member it applies to who lacks it.

    Members whose profile's professional role is one of the rule's roles (all members when
    it has none, managers included) and who are not yet assigned the item in this
    organisation, whoever assigned it, get it due ``due_within_days`` from ``today``.
    Running it again assigns nobody twice. Returns the number of new assignments.
    """
    if not rule.is_active:
        return 0
    today = today or timezone.localdate()
    members = (
        active_members(organisation=rule.organisation)
        .exclude(
            user_id__in=Assignment.objects.filter(
                organisation_id=rule.organisation_id, **_item_filter(rule.item)
            ).values("user_id")
        )
        .select_related("user", "user__profile")
        .order_by("pk")
    )
    if rule.roles:
        members = members.filter(user__profile__professional_role__in=rule.roles)
    assigner = _assigner(organisation_id=rule.organisation_id, preferred=rule.created_by)
    count = 0
    for membership in members:
        if _rule_assign(rule=rule, user=membership.user, today=today, assigner=assigner):
            count += 1
    return count


@transaction.atomic
def member_assign_mandatory(
    *, membership: Membership, today: datetime.date | None = None
) -> list[Assignment]:
    """Assign a member who has just joined the organisation's mandatory training.

    Something they are already assigned there (someone rejoining) is kept as it was, due
    date and all. Returns the new assignments.
    """
    if membership.status != Membership.Status.ACTIVE:
        return []
    today = today or timezone.localdate()
    user = membership.user
    role = _role_of(user)
    rules = [
        rule
        for rule in MandatoryRule.objects.filter(
            organisation_id=membership.organisation_id, is_active=True
        ).select_related("organisation", "course", "pathway", "created_by")
        if rule.applies_to_role(role)
    ]
    if not rules:
        return []
    existing = set(
        Assignment.objects.filter(organisation_id=membership.organisation_id, user=user)
        .order_by()
        .values_list("course_id", "pathway_id")
    )
    created = []
    assigners: dict[int | None, AbstractBaseUser | None] = {}
    for rule in rules:
        if (rule.course_id, rule.pathway_id) in existing:
            continue
        if rule.created_by_id not in assigners:
            assigners[rule.created_by_id] = _assigner(
                organisation_id=rule.organisation_id, preferred=rule.created_by
            )
        assignment = _rule_assign(
            rule=rule, user=user, today=today, assigner=assigners[rule.created_by_id]
        )
        if assignment is not None:
            created.append(assignment)
    return created


def rules_sync(*, today: datetime.date | None = None) -> int:
    """Apply every active rule again, retry enrolments that could not be made, and check
    every assignment's learning facts.

    Catches members whose role changed, who joined while a rule was inactive, or whose
    missing prerequisite is now done. Returns the number of new assignments.
    """
    today = today or timezone.localdate()
    total = 0
    for rule in MandatoryRule.objects.filter(is_active=True).select_related(
        "organisation", "course", "pathway", "created_by"
    ):
        total += rule_apply(rule=rule, today=today)
    assignments_refresh(today=today)
    facts_reconcile()
    return total


# Managers' assignments.


@transaction.atomic
def assignments_create(
    *,
    organisation: Organisation,
    actor: AbstractBaseUser,
    user_ids: Iterable[int | str],
    item_key: str,
    due_on: datetime.date | None,
) -> AssignmentOutcome:
    """A manager assigns a course or pathway to chosen members of their organisation.

    Everything is checked before anything is written: the item, a due date from today on,
    and that every chosen person is a current member (otherwise nothing changes at all). An
    existing assignment takes the new due date and becomes the manager's. Enrolments are made
    (or their due dates moved); one that cannot be made yet is reported, and the assignment
    stands.
    """
    require_manager(organisation=organisation, actor=actor)
    errors: dict[str, str] = {}
    item = item_for_key(item_key or "")
    if item is None:
        errors["item_key"] = _("Choose a course or pathway from the list.")
    if due_on is None:
        errors["due_on"] = _("Enter a due date.")
    elif due_on < timezone.localdate():
        errors["due_on"] = _("The due date must be today or later.")

    ids: set[int] = set()
    unreadable = False
    for value in user_ids or []:
        try:
            ids.add(int(value))
        except (TypeError, ValueError):
            unreadable = True
    memberships = (
        list(
            active_members(organisation=organisation)
            .filter(user_id__in=ids)
            .select_related("user", "user__profile")
        )
        if ids
        else []
    )
    if not ids and not unreadable:
        errors["members"] = _("Choose at least one member of staff.")
    elif unreadable or len(memberships) != len(ids):
        # Never say who was not found: the ids may belong to other organisations' staff.
        errors["members"] = _("Choose staff from your organisation.")
    if errors:
        raise ValidationError(errors)

    outcome = AssignmentOutcome()
    today = timezone.localdate()
    memberships.sort(key=lambda m: (person_name(m.user).casefold(), m.pk))
    for membership in memberships:
        user = membership.user
        assignment = (
            Assignment.objects.select_for_update()
            .filter(organisation=organisation, user=user, **_item_filter(item))
            .first()
        )
        created = False
        if assignment is None:
            assignment = _assignment_add(
                organisation=organisation,
                user=user,
                item=item,
                source=Assignment.Source.MANAGER,
                assigned_by=actor,
                due_on=due_on,
            )
            created = assignment is not None
            if not created:  # A rule assigned it a moment ago: take that one over.
                assignment = (
                    Assignment.objects.select_for_update()
                    .filter(organisation=organisation, user=user, **_item_filter(item))
                    .get()
                )
        if created:
            outcome.assigned += 1
        else:
            # One that was already there: it becomes this manager's, due on the new date.
            assignment.due_on = due_on
            assignment.source = Assignment.Source.MANAGER
            assignment.assigned_by = actor
            assignment.assigned_at = timezone.now()
            assignment.full_clean(
                exclude=_HELD_KEYS, validate_unique=False, validate_constraints=False
            )
            assignment.save(update_fields=["due_on", "source", "assigned_by", "assigned_at"])
            outcome.updated += 1
        problem = _enrolments_make(
            user=user,
            item=item,
            organisation=organisation,
            assigned_by=actor,
            due_on=due_on,
            today=today,
            update_open=True,
        )
        _problem_save(assignment, problem)
        if problem:
            outcome.problems.append(f"{person_name(user)}: {problem}")
    return outcome


# Keeping enrolments up with assignments.


def assignments_refresh(
    *, user: AbstractBaseUser | None = None, today: datetime.date | None = None
) -> int:
    """Try again to make the enrolments current members' assignments are waiting for.

    For everyone: assignments with a problem recorded. For one person (who has just
    completed a course): their pathways as well, so the next course of a pathway follows
    the one before it. Returns how many assignments have no problem left.
    """
    today = today or timezone.localdate()
    memberships = Membership.objects.filter(status=Membership.Status.ACTIVE)
    if user is not None:
        memberships = memberships.filter(user=user)
    queryset = Assignment.objects.filter(user_id__in=memberships.values("user_id"))
    if user is None:
        queryset = queryset.exclude(enrolment_problem="")
    else:
        queryset = queryset.filter(Q(pathway__isnull=False) | ~Q(enrolment_problem=""))
    assignments = list(
        queryset.select_related(
            "organisation", "user", "course", "pathway", "rule__created_by", "assigned_by"
        ).order_by("pk")
    )
    if not assignments:
        return 0
    current = set(
        memberships.filter(user_id__in={a.user_id for a in assignments}).values_list(
            "user_id", "organisation_id"
        )
    )
    fixed = 0
    for assignment in assignments:
        if (assignment.user_id, assignment.organisation_id) in current:
            fixed += int(assignment_enrolments_refresh(assignment=assignment, today=today))
    return fixed


@transaction.atomic
def assignment_enrolments_refresh(
    *, assignment: Assignment, today: datetime.date | None = None
) -> bool:
    """Make the enrolments one assignment still needs; True when nothing stands in the way."""
    today = today or timezone.localdate()
    if assignment.source == Assignment.Source.RULE and assignment.rule is not None:
        preferred = assignment.rule.created_by
    else:
        preferred = assignment.assigned_by
    problem = _enrolments_make(
        user=assignment.user,
        item=assignment.item,
        organisation=assignment.organisation,
        assigned_by=_assigner(organisation_id=assignment.organisation_id, preferred=preferred),
        due_on=assignment.due_on,
        today=today,
        update_open=False,
    )
    _problem_save(assignment, problem)
    return not problem


# Renewals.


def renewals_assign(*, today: datetime.date | None = None) -> int:
    """Enrol again, ahead of expiry, the people whose certificates for a rule run out.

    For every active rule: a current member assigned its course (or a pathway's course)
    whose completion is valid until a date no more than ``renewal_days_before_expiry`` days
    away (or already past), and who is not enrolled on it now, is enrolled on the next cycle,
    due on the expiry date; the assignment's due date moves to that date. Running it again
    changes nothing. Returns the number of enrolments made.
    """
    today = today or timezone.localdate()
    total = 0
    for rule in MandatoryRule.objects.filter(is_active=True).select_related(
        "organisation", "course", "pathway", "created_by"
    ):
        total += _rule_renew(rule=rule, today=today)
    return total


@transaction.atomic
def _rule_renew(*, rule: MandatoryRule, today: datetime.date) -> int:
    courses = _item_courses(rule.item)
    if not courses:
        return 0
    course_ids = [course.pk for course in courses]
    member_ids = active_members(organisation=rule.organisation).values("user_id")
    assignments = {
        assignment.user_id: assignment
        for assignment in Assignment.objects.filter(
            organisation=rule.organisation, user_id__in=member_ids, **_item_filter(rule.item)
        ).select_related("user")
    }
    if not assignments:
        return 0
    user_ids = list(assignments)
    completions = records.completion_summaries(user_ids=user_ids, course_ids=course_ids)
    open_enrolments = records.open_enrolment_summaries(user_ids=user_ids, course_ids=course_ids)
    horizon = today + datetime.timedelta(days=rule.renewal_days_before_expiry)
    assigner: AbstractBaseUser | None = None
    assigner_found = False
    made = 0
    for user_id, assignment in assignments.items():
        expiries: list[datetime.date] = []
        to_enrol: list[tuple[CoursePage, datetime.date]] = []
        for course in courses:
            summary = completions.get((user_id, course.pk))
            if summary is None or summary.valid_until is None or summary.valid_until > horizon:
                continue
            expiries.append(summary.valid_until)
            if (user_id, course.pk) not in open_enrolments:
                to_enrol.append((course, summary.valid_until))
        if not expiries:
            continue
        problems = []
        if to_enrol and not assigner_found:
            assigner = _assigner(organisation_id=rule.organisation_id, preferred=rule.created_by)
            assigner_found = True
        for course, valid_until in to_enrol:
            if assigner is None:
                problems.append(
                    _(
                        "Nobody manages %(organisation)s at the moment, so the renewal of "
                        "“%(course)s” could not be assigned. It will be once someone does."
                    )
                    % {"organisation": rule.organisation.name, "course": course.title}
                )
                continue
            due = valid_until if valid_until >= timezone.localdate() else None
            try:
                with transaction.atomic():
                    enrolment_create(
                        user=assignment.user, course=course, assigned_by=assigner, due_on=due
                    )
            except ValidationError as error:
                problems.append(" ".join(error.messages))
            else:
                made += 1
        due_on = min(expiries)
        if assignment.due_on != due_on:
            assignment.due_on = due_on
            assignment.save(update_fields=["due_on"])
        if to_enrol:
            _problem_save(assignment, _problem_text(problems))
    return made
