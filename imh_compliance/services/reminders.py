"""Reminder emails about mandatory training, and the weekly digest to managers.

Automatic reminders (``reminders_send_due``, run daily):

- Only active members (active membership, active account) of active organisations hear from
  us, and only about requirements they have not met.
- "Due soon": not started or in progress, due within ``DUE_SOON_DAYS`` days (today included,
  and the day ``DUE_SOON_DAYS`` days away included).
- "Overdue": the due date has passed and the requirement was never met (status overdue). A
  completion that has run out (status expired) is left to the certificate expiry reminders.
- Each (assignment, kind, due date) is reminded once ever: the ``Reminder`` row is written in
  the same transaction that hands the email to the mail queue, and its unique constraint stops
  a second run or a second worker. Assigning again with a new due date allows new reminders.
- One email per person and organisation per run lists everything due soon and overdue, so a
  run after days of downtime sends one email, not one per item or per missed day.

Manual reminders (``reminders_send_manual``) are a manager's "remind these people" button:
at most one a day per person and organisation.

The digest (``digests_send``) goes to each active manager once per week (the week starting on
Monday): the first run of the week sends it, so running it daily is safe and a run later in
the week still sends it if Monday's was missed.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from imh_compliance.models import Assignment, Digest, MandatoryRule, Reminder
from imh_compliance.selectors.cells import cells_for
from imh_compliance.selectors.columns import columns_for
from imh_compliance.selectors.matrix import compliance_matrix
from imh_compliance.status import OUTSTANDING, Status
from imh_core.links import site_url
from imh_core.mail import email_send
from imh_core.people import person_name, select_people
from imh_organisations.models import Membership, Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)

# A requirement not yet met is "due soon" from this many days before its due date.
DUE_SOON_DAYS = 14
# A manager may remind the same person at most once in this period.
MANUAL_REMINDER_INTERVAL = datetime.timedelta(hours=24)
# How many names the digest lists in each section before "and N more".
DIGEST_NAMES_MAX = 20
# The digest lists completions that run out within this many days.
DIGEST_EXPIRING_DAYS = 60

MEMBERS_ERROR = _("Choose staff from your organisation.")


# Helpers.


def _date(value: datetime.date) -> str:
    # Month names in the active language.
    return date_format(value, "j F Y")


def _days(count: int) -> str:
    return ngettext("%(count)s day", "%(count)s days", count) % {"count": count}


def _my_learning_url() -> str:
    return site_url(reverse("imh_courses:my_learning"))


@dataclass(frozen=True)
class ReminderItem:
    """One requirement as a reminder lists it."""

    title: str
    status: str
    due_on: datetime.date | None
    detail: str  # "due 3 March 2027 (in 5 days)", "was due 1 March 2027 (9 days ago)"

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)


def _item_detail(*, status: str, due_on, valid_until, today: datetime.date) -> str:
    if status == Status.OVERDUE and due_on is not None:
        late = (today - due_on).days
        return gettext("was due %(date)s (%(days)s ago)") % {
            "date": _date(due_on),
            "days": _days(late),
        }
    if status == Status.EXPIRED and valid_until is not None:
        return gettext("expired %(date)s") % {"date": _date(valid_until)}
    if due_on is not None:
        left = (due_on - today).days
        if left == 0:
            return gettext("due %(date)s (today)") % {"date": _date(due_on)}
        return gettext("due %(date)s (in %(days)s)") % {"date": _date(due_on), "days": _days(left)}
    return ""


# Automatic reminders.


@dataclass
class _Person:
    user_id: int
    name: str
    email: str
    due_soon: list[tuple[int, ReminderItem]] = field(default_factory=list)  # (assignment id, item)
    overdue: list[tuple[int, ReminderItem]] = field(default_factory=list)


def _organisations_with_reminders(*, cutoff: datetime.date):
    return Organisation.objects.filter(is_active=True).filter(
        Exists(Assignment.objects.filter(organisation=OuterRef("pk"), due_on__lte=cutoff))
    )


def _due_people(*, organisation: Organisation, today: datetime.date) -> list[_Person]:
    """The people of one organisation with something to be reminded of today (not yet sent).

    A fixed number of queries whatever the number of staff: the candidate assignments, the
    columns, the statuses (through ``cells_for``) and the reminders already sent.
    """
    cutoff = today + datetime.timedelta(days=DUE_SOON_DAYS)
    members = Membership.objects.filter(
        organisation=organisation,
        status=Membership.Status.ACTIVE,
        user__is_active=True,
    ).exclude(user__email="")
    candidates = Assignment.objects.filter(
        organisation=organisation,
        due_on__lte=cutoff,
        user_id__in=members.values("user_id"),
    )
    assignments = list(
        candidates.order_by("due_on", "pk").values_list(
            "pk", "user_id", "course_id", "pathway_id", "due_on"
        )
    )
    if not assignments:
        return []
    columns = columns_for(organisation=organisation)
    index = {column.key: position for position, column in enumerate(columns)}
    cells = cells_for(
        organisation=organisation,
        columns=columns,
        user_ids=candidates.values("user_id"),
        today=today,
    )
    sent = set(
        Reminder.objects.filter(
            assignment_id__in=candidates.values("pk"),
            kind__in=[Reminder.Kind.DUE_SOON, Reminder.Kind.OVERDUE],
        ).values_list("assignment_id", "kind", "due_on")
    )
    people: dict[int, _Person] = {}
    for pk, user_id, course_id, pathway_id, due_on in assignments:
        key = f"course:{course_id}" if course_id else f"pathway:{pathway_id}"
        position = index.get(key)
        if position is None or user_id not in cells:
            continue
        cell = cells[user_id][position]
        if cell.status == Status.OVERDUE:
            kind = Reminder.Kind.OVERDUE
        elif cell.status in (Status.NOT_STARTED, Status.IN_PROGRESS) and today <= due_on:
            kind = Reminder.Kind.DUE_SOON
        else:
            continue  # met, or expired (the certificate reminders deal with expiry)
        if (pk, kind, due_on) in sent:
            continue
        item = ReminderItem(
            title=columns[position].title,
            status=cell.status,
            due_on=due_on,
            detail=_item_detail(
                status=cell.status, due_on=due_on, valid_until=cell.valid_until, today=today
            ),
        )
        person = people.setdefault(user_id, _Person(user_id=user_id, name="", email=""))
        (person.overdue if kind == Reminder.Kind.OVERDUE else person.due_soon).append((pk, item))
    if not people:
        return []
    users = get_user_model().objects.filter(pk__in=list(people)).select_related("profile")
    for user in users:
        people[user.pk].name = person_name(user)
        people[user.pk].email = user.email
    return sorted(
        (person for person in people.values() if person.email),
        key=lambda person: person.name.casefold(),
    )


def _reminder_record(
    *, organisation: Organisation, user_id: int, assignment_id: int, kind: str, due_on
) -> bool:
    """Write one automatic reminder row; False if it had been written already."""
    reminder = Reminder(
        organisation=organisation,
        user_id=user_id,
        assignment_id=assignment_id,
        kind=kind,
        due_on=due_on,
    )
    # The unique constraint is checked by the database, which settles a race between two
    # runs; checking it here as well would only add a query per row.
    reminder.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            reminder.save()
    except IntegrityError:
        return False
    return True


@transaction.atomic
def _person_remind(
    *, organisation: Organisation, person: _Person, today: datetime.date
) -> tuple[int, int]:
    """Record and email one person's reminders for one organisation: (due soon, overdue) sent."""
    due_soon = [
        item
        for assignment_id, item in person.due_soon
        if _reminder_record(
            organisation=organisation,
            user_id=person.user_id,
            assignment_id=assignment_id,
            kind=Reminder.Kind.DUE_SOON,
            due_on=item.due_on,
        )
    ]
    overdue = [
        item
        for assignment_id, item in person.overdue
        if _reminder_record(
            organisation=organisation,
            user_id=person.user_id,
            assignment_id=assignment_id,
            kind=Reminder.Kind.OVERDUE,
            due_on=item.due_on,
        )
    ]
    if not due_soon and not overdue:
        return 0, 0
    if overdue:
        subject = gettext("Mandatory training overdue for %(organisation)s") % {
            "organisation": organisation.name
        }
    else:
        subject = gettext("Mandatory training due soon for %(organisation)s") % {
            "organisation": organisation.name
        }
    # Inside the transaction: the queued email commits or rolls back with the row.
    email_send(
        template="imh_compliance/email/reminder_due.txt",
        on_commit=False,
        subject=subject,
        to=person.email,
        context={
            "person_name": person.name,
            "organisation": organisation,
            "overdue": overdue,
            "due_soon": due_soon,
            "due_soon_days": DUE_SOON_DAYS,
            "my_learning_url": _my_learning_url(),
        },
    )
    return len(due_soon), len(overdue)


def reminders_send_due(*, today: datetime.date | None = None) -> dict[str, int]:
    """Send today's due-soon and overdue reminders; safe to run any number of times a day.

    Returns how many emails went and how many requirements they reminded about.
    """
    today = today or timezone.localdate()
    cutoff = today + datetime.timedelta(days=DUE_SOON_DAYS)
    result = {"emails": 0, "due_soon": 0, "overdue": 0}
    for organisation in _organisations_with_reminders(cutoff=cutoff).order_by("pk"):
        try:
            people = _due_people(organisation=organisation, today=today)
        except Exception:
            logger.exception("Compliance reminders for organisation %s failed", organisation.pk)
            continue
        for person in people:
            try:
                due_soon, overdue = _person_remind(
                    organisation=organisation, person=person, today=today
                )
            except Exception:
                # One bad address or template must not stop everyone else's reminders.
                logger.exception(
                    "Compliance reminder to user %s (organisation %s) failed",
                    person.user_id,
                    organisation.pk,
                )
                continue
            if due_soon or overdue:
                result["emails"] += 1
                result["due_soon"] += due_soon
                result["overdue"] += overdue
    return result


# Manual reminders.


@dataclass(frozen=True)
class ManualReminderOutcome:
    """How many people were emailed, and why the others were not (one sentence each)."""

    sent: int
    skipped: list[str]


def _require_manager(*, organisation: Organisation, actor: AbstractBaseUser | None) -> None:
    if (
        actor is None
        or not getattr(actor, "is_authenticated", False)
        or not Membership.objects.filter(
            organisation=organisation,
            user=actor,
            role=Membership.Role.MANAGER,
            status=Membership.Status.ACTIVE,
        ).exists()
    ):
        raise PermissionDenied(
            gettext("Only a manager of %(organisation)s can do this.")
            % {"organisation": organisation.name}
        )


def _chosen_ids(user_ids) -> list[int]:
    try:
        ids = list(dict.fromkeys(int(value) for value in user_ids or ()))
    except (TypeError, ValueError):
        raise ValidationError({"members": MEMBERS_ERROR}, code="not_member") from None
    if not ids:
        raise ValidationError({"members": MEMBERS_ERROR}, code="not_member")
    return ids


@transaction.atomic
def reminders_send_manual(
    *, organisation: Organisation, actor: AbstractBaseUser, user_ids
) -> ManualReminderOutcome:
    """Email each chosen member the requirements they have outstanding, with their due dates.

    Everyone chosen must be an active member of the organisation, or nothing is sent. People
    with nothing outstanding, and people reminded by a manager in the last 24 hours, are
    skipped and named in ``skipped``.
    """
    _require_manager(organisation=organisation, actor=actor)
    ids = _chosen_ids(user_ids)
    # Locking the chosen memberships makes two managers pressing the button at once queue
    # one reminder each person, not two.
    memberships = list(
        select_people(
            Membership.objects.select_for_update(of=("self",)).filter(
                organisation=organisation,
                status=Membership.Status.ACTIVE,
                user_id__in=ids,
            ),
            "user",
        )
    )
    if len(memberships) != len(ids):
        raise ValidationError({"members": MEMBERS_ERROR}, code="not_member")

    today = timezone.localdate()
    now = timezone.now()
    recently = set(
        Reminder.objects.filter(
            organisation=organisation,
            kind=Reminder.Kind.MANUAL,
            user_id__in=ids,
            sent_at__gt=now - MANUAL_REMINDER_INTERVAL,
        ).values_list("user_id", flat=True)
    )
    columns = columns_for(organisation=organisation)
    cells = cells_for(organisation=organisation, columns=columns, user_ids=ids, today=today)

    sent = 0
    skipped: list[str] = []
    manager_name = person_name(actor)
    for membership in sorted(memberships, key=lambda m: person_name(m.user).casefold()):
        user = membership.user
        name = person_name(user)
        if not user.is_active or not user.email:
            skipped.append(
                gettext("%(name)s cannot be emailed (their account is closed)") % {"name": name}
            )
            continue
        if user.pk in recently:
            skipped.append(gettext("%(name)s was reminded less than a day ago") % {"name": name})
            continue
        items = [
            ReminderItem(
                title=column.title,
                status=cell.status,
                due_on=cell.due_on,
                detail=_item_detail(
                    status=cell.status,
                    due_on=cell.due_on,
                    valid_until=cell.valid_until,
                    today=today,
                ),
            )
            for column, cell in zip(columns, cells.get(user.pk, []), strict=False)
            if cell.status in OUTSTANDING
        ]
        if not items:
            skipped.append(gettext("%(name)s has nothing outstanding") % {"name": name})
            continue
        reminder = Reminder(
            organisation=organisation,
            user=user,
            kind=Reminder.Kind.MANUAL,
            sent_by=actor,
            sent_at=now,
        )
        reminder.full_clean()
        reminder.save()
        # Inside the transaction: the queued email commits or rolls back with the row.
        email_send(
            template="imh_compliance/email/reminder_manual.txt",
            on_commit=False,
            subject=gettext("A reminder about your mandatory training for %(organisation)s")
            % {"organisation": organisation.name},
            to=user.email,
            context={
                "person_name": name,
                "manager_name": manager_name,
                "organisation": organisation,
                "items": items,
                "my_learning_url": _my_learning_url(),
            },
        )
        sent += 1
    return ManualReminderOutcome(sent=sent, skipped=skipped)


# The weekly digest.


def week_starting(day: datetime.date) -> datetime.date:
    """The Monday of the ISO week ``day`` is in."""
    return day - datetime.timedelta(days=day.weekday())


@dataclass(frozen=True)
class DigestColumn:
    title: str
    compliant: int
    expiring: int
    overdue: int
    expired: int
    not_started: int
    in_progress: int


@dataclass(frozen=True)
class DigestEntry:
    name: str
    what: str  # "Safeguarding children (overdue, was due 3 March 2027)"


@dataclass(frozen=True)
class DigestSection:
    entries: list[DigestEntry]
    more: int  # how many people were left off the list

    @property
    def total(self) -> int:
        return len(self.entries) + self.more


def _section(people: list[tuple[str, list[str]]]) -> DigestSection:
    entries = [DigestEntry(name=name, what="; ".join(what)) for name, what in people]
    return DigestSection(
        entries=entries[:DIGEST_NAMES_MAX], more=max(len(entries) - DIGEST_NAMES_MAX, 0)
    )


def digest_content(*, organisation: Organisation, today: datetime.date) -> dict[str, Any] | None:
    """What this week's digest says about the organisation; None when it has no requirements."""
    matrix = compliance_matrix(organisation=organisation, today=today)
    if not matrix.columns:
        return None
    columns = []
    for column, totals in zip(matrix.columns, matrix.totals, strict=True):
        columns.append(
            DigestColumn(
                title=column.title,
                compliant=totals.get(Status.COMPLETED, 0),
                expiring=totals.get(Status.EXPIRING, 0),
                overdue=totals.get(Status.OVERDUE, 0),
                expired=totals.get(Status.EXPIRED, 0),
                not_started=totals.get(Status.NOT_STARTED, 0),
                in_progress=totals.get(Status.IN_PROGRESS, 0),
            )
        )
    breached: list[tuple[str, list[str]]] = []
    expiring: list[tuple[str, list[str]]] = []
    required_people = compliant_people = 0
    for row in matrix.rows:  # sorted by name
        late = []
        soon = []
        for column, cell in zip(matrix.columns, row.cells, strict=True):
            if cell.status == Status.OVERDUE:
                late.append(
                    gettext("%(title)s (overdue, was due %(date)s)")
                    % {"title": column.title, "date": _date(cell.due_on)}
                )
            elif cell.status == Status.EXPIRED:
                late.append(
                    gettext("%(title)s (expired %(date)s)")
                    % {"title": column.title, "date": _date(cell.valid_until)}
                )
            elif (
                cell.status == Status.EXPIRING
                and cell.valid_until is not None
                and (cell.valid_until - today).days <= DIGEST_EXPIRING_DAYS
            ):
                soon.append(
                    gettext("%(title)s (valid until %(date)s)")
                    % {"title": column.title, "date": _date(cell.valid_until)}
                )
        if late:
            breached.append((row.name, late))
        if soon:
            expiring.append((row.name, soon))
        if any(cell.status != Status.NOT_REQUIRED for cell in row.cells):
            required_people += 1
            if row.summary == "Compliant":
                compliant_people += 1
    return {
        "organisation": organisation,
        "today": today,
        "member_count": matrix.member_count,
        "required_people": required_people,
        "compliant_people": compliant_people,
        "columns": columns,
        "breached": _section(breached),
        "expiring": _section(expiring),
        "expiring_days": DIGEST_EXPIRING_DAYS,
        "dashboard_url": site_url(reverse("imh_compliance:dashboard", args=[organisation.pk])),
    }


@transaction.atomic
def _digest_send_one(
    *,
    organisation: Organisation,
    manager: AbstractBaseUser,
    week: datetime.date,
    content: dict[str, Any],
) -> bool:
    digest = Digest(organisation=organisation, manager=manager, week_starting=week)
    digest.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            digest.save()
    except IntegrityError:
        return False  # another run sent it first
    # Inside the transaction: the queued email commits or rolls back with the row.
    email_send(
        template="imh_compliance/email/digest.txt",
        on_commit=False,
        subject=gettext("Mandatory training this week at %(organisation)s")
        % {"organisation": organisation.name},
        to=manager.email,
        context={**content, "manager_name": person_name(manager), "week_starting": week},
    )
    return True


def digests_send(*, today: datetime.date | None = None) -> int:
    """Send this week's digest to every active manager who has not had it; returns how many.

    The matrix is worked out once per organisation, and only for organisations with a
    manager still waiting for this week's digest.
    """
    today = today or timezone.localdate()
    week = week_starting(today)
    has_requirements = Exists(
        MandatoryRule.objects.filter(organisation=OuterRef("organisation"), is_active=True)
    ) | Exists(Assignment.objects.filter(organisation=OuterRef("organisation")))
    already = Digest.objects.filter(
        organisation=OuterRef("organisation"), manager=OuterRef("user"), week_starting=week
    )
    waiting = (
        select_people(
            Membership.objects.filter(
                role=Membership.Role.MANAGER,
                status=Membership.Status.ACTIVE,
                organisation__is_active=True,
                user__is_active=True,
            )
            .exclude(user__email="")
            .filter(has_requirements)
            .exclude(Exists(already)),
            "user",
        )
        .select_related("organisation")
        .order_by("organisation_id", "pk")
    )
    managers_by_organisation: dict[int, list[Membership]] = defaultdict(list)
    for membership in waiting:
        managers_by_organisation[membership.organisation_id].append(membership)

    sent = 0
    for memberships in managers_by_organisation.values():
        organisation = memberships[0].organisation
        try:
            content = digest_content(organisation=organisation, today=today)
        except Exception:
            logger.exception("Compliance digest for organisation %s failed", organisation.pk)
            continue
        if content is None:
            continue
        for membership in memberships:
            try:
                if _digest_send_one(
                    organisation=organisation, manager=membership.user, week=week, content=content
                ):
                    sent += 1
            except Exception:
                logger.exception(
                    "Compliance digest to user %s (organisation %s) failed",
                    membership.user_id,
                    organisation.pk,
                )
    return sent
