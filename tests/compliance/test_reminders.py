"""Due-soon and overdue reminders to staff, and reminders sent by a manager."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from imh_compliance.models import Reminder
from imh_compliance.services import reminders
from imh_compliance.services.reminders import (
    DUE_SOON_DAYS,
    reminders_send_due,
    reminders_send_manual,
)
from imh_compliance.tasks.reminders import compliance_reminders_task
from imh_organisations.models import Membership
from tests.compliance.reminders_fixtures import D0, assign, complete, day, enrol, on
from tests.courses.factories import create_course

pytestmark = pytest.mark.django_db


def sent_to(user) -> list:
    return [message for message in mail.outbox if message.to == [user.email]]


# Automatic reminders: when.


def test_due_soon_is_sent_14_days_before_and_not_15(organisation, staff, course):
    assign(organisation, staff, course, due_on=day(DUE_SOON_DAYS + 1))

    assert reminders_send_due(today=D0) == {"emails": 0, "due_soon": 0, "overdue": 0}
    assert mail.outbox == []

    result = reminders_send_due(today=day(1))

    assert result == {"emails": 1, "due_soon": 1, "overdue": 0}
    [message] = sent_to(staff)
    assert message.subject == "Mandatory training due soon for Riverside Nursery"
    assert "Hello Sam Midwife," in message.body
    assert "Safeguarding babies: due 25 March 2027 (in 14 days)" in message.body
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.due_on, reminder.user) == (
        Reminder.Kind.DUE_SOON,
        day(15),
        staff,
    )


def test_the_email_links_to_my_learning(organisation, staff, course):
    assign(organisation, staff, course, due_on=day(3))
    reminders_send_due(today=D0)
    [message] = sent_to(staff)
    assert f"http://testserver{reverse('imh_courses:my_learning')}" in message.body


def test_due_today_is_due_soon_and_overdue_starts_the_day_after(organisation, staff, course):
    assign(organisation, staff, course, due_on=D0)

    assert reminders_send_due(today=D0) == {"emails": 1, "due_soon": 1, "overdue": 0}
    assert "due 10 March 2027 (today)" in mail.outbox[0].body

    assert reminders_send_due(today=day(1)) == {"emails": 1, "due_soon": 0, "overdue": 1}
    message = mail.outbox[1]
    assert message.subject == "Mandatory training overdue for Riverside Nursery"
    assert "Safeguarding babies: was due 10 March 2027 (1 day ago)" in message.body
    assert set(Reminder.objects.values_list("kind", flat=True)) == {"due_soon", "overdue"}


def test_each_reminder_is_sent_once(organisation, staff, course):
    assign(organisation, staff, course, due_on=day(5))

    reminders_send_due(today=D0)
    reminders_send_due(today=D0)
    reminders_send_due(today=day(1))
    assert len(mail.outbox) == 1

    reminders_send_due(today=day(6))
    reminders_send_due(today=day(7))
    reminders_send_due(today=day(30))
    assert len(mail.outbox) == 2  # one due soon, one overdue, ever
    assert Reminder.objects.count() == 2


def test_moving_the_due_date_allows_new_reminders(organisation, staff, course):
    assignment = assign(organisation, staff, course, due_on=day(5))
    reminders_send_due(today=D0)
    reminders_send_due(today=day(6))
    assert len(mail.outbox) == 2

    assignment.due_on = day(21)  # assigned again with a later date
    assignment.save()
    reminders_send_due(today=day(6))
    assert len(mail.outbox) == 2  # 15 days ahead: not yet
    reminders_send_due(today=day(7))

    assert len(mail.outbox) == 3
    assert "due 31 March 2027 (in 14 days)" in mail.outbox[2].body
    assert Reminder.objects.filter(kind="due_soon").count() == 2


def test_a_run_after_downtime_sends_one_email_per_person(organisation, staff, course, pathway):
    second = create_course(title="Food hygiene", modules=1, lessons_per_module=1)
    assign(organisation, staff, course, due_on=day(-40))
    assign(organisation, staff, second, due_on=day(-3))
    assign(organisation, staff, pathway, due_on=day(10))

    result = reminders_send_due(today=D0)

    assert result == {"emails": 1, "due_soon": 1, "overdue": 2}
    [message] = mail.outbox
    body = message.body
    assert "Safeguarding babies: was due 29 January 2027 (40 days ago)" in body
    assert "Food hygiene: was due 7 March 2027 (3 days ago)" in body
    assert "Health visitor pathway: due 20 March 2027 (in 10 days)" in body
    assert Reminder.objects.count() == 3
    assert reminders_send_due(today=D0)["emails"] == 0


def test_each_organisation_sends_its_own_email(organisation, other_organisation, staff, course):
    Membership.objects.create(
        user=staff,
        organisation=other_organisation,
        role=Membership.Role.STAFF,
        status=Membership.Status.ACTIVE,
        source=Membership.Source.ADMIN,
    )
    assign(organisation, staff, course, due_on=day(2))
    assign(other_organisation, staff, course, due_on=day(4))

    assert reminders_send_due(today=D0)["emails"] == 2
    assert sorted(message.subject for message in mail.outbox) == [
        "Mandatory training due soon for Hillside NHS Foundation Trust",
        "Mandatory training due soon for Riverside Nursery",
    ]


# Automatic reminders: who and what.


def test_met_requirements_are_not_reminded(organisation, staff, course):
    assign(organisation, staff, course, due_on=day(5))
    complete(staff, course, on_date=day(-2), expires_on=day(360))

    reminders_send_due(today=D0)
    reminders_send_due(today=day(10))

    assert mail.outbox == []
    assert not Reminder.objects.exists()


def test_expired_completions_are_left_to_the_certificate_reminders(organisation, staff, course):
    assign(organisation, staff, course, due_on=day(-100))
    complete(staff, course, on_date=day(-400), expires_on=day(-5))

    assert reminders_send_due(today=D0)["emails"] == 0


def test_work_in_progress_is_still_reminded(organisation, staff, course):
    assign(organisation, staff, course, due_on=day(3))
    enrol(staff, course, started=True)

    assert reminders_send_due(today=D0)["due_soon"] == 1


def test_people_who_left_or_are_not_active_are_not_reminded(
    organisation, staff_membership, member, course
):
    staff_membership.status = Membership.Status.LEFT
    staff_membership.save()
    assign(organisation, staff_membership.user, course, due_on=day(3))
    closed = member(name="Closed Account").user
    closed.is_active = False
    closed.save()
    assign(organisation, closed, course, due_on=day(3))
    pending = member(name="Pending Person")
    pending.status = Membership.Status.PENDING
    pending.save()
    assign(organisation, pending.user, course, due_on=day(3))

    assert reminders_send_due(today=D0)["emails"] == 0
    assert mail.outbox == []


def test_inactive_organisations_send_nothing(organisation, staff, course):
    organisation.is_active = False
    organisation.save()
    assign(organisation, staff, course, due_on=day(3))

    assert reminders_send_due(today=D0)["emails"] == 0


def test_queries_do_not_grow_with_the_number_of_people(organisation, member, course):
    def count_for(people: int) -> int:
        for _ in range(people):
            assign(organisation, member().user, course, due_on=day(3))
        with CaptureQueriesContext(connection) as context:
            found = reminders._due_people(organisation=organisation, today=D0)
        assert len(found) >= people
        return len(context.captured_queries)

    assert count_for(2) == count_for(6)


def test_the_task_and_the_command_send_them(organisation, staff, member, course, capsys):
    assign(organisation, staff, course, due_on=day(3))
    with on(D0):
        compliance_reminders_task.enqueue()
    assert len(sent_to(staff)) == 1

    other = member(name="Pat Visitor").user
    assign(organisation, other, course, due_on=day(3))
    call_command("compliance_send_reminders", "--date", D0.isoformat())
    assert "Sent 1 reminder email (1 due soon, 0 overdue)." in capsys.readouterr().out
    assert len(sent_to(other)) == 1


# Reminders sent by a manager.


def test_a_manager_reminds_chosen_staff_of_what_is_outstanding(
    organisation, manager, staff, member, course, pathway
):
    done = create_course(title="Done already", modules=1, lessons_per_module=1)
    assign(organisation, staff, course, due_on=day(-2))
    assign(organisation, staff, pathway, due_on=day(40))
    assign(organisation, staff, done, due_on=day(40))
    complete(staff, done, on_date=day(-1))
    idle = member(name="Idle Person").user

    with on(D0):
        outcome = reminders_send_manual(
            organisation=organisation, actor=manager, user_ids=[staff.pk, str(idle.pk)]
        )

    assert outcome.sent == 1
    assert outcome.skipped == ["Idle Person has nothing outstanding"]
    [message] = mail.outbox
    assert message.to == [staff.email]
    assert message.subject == "A reminder about your mandatory training for Riverside Nursery"
    assert "Morgan Manager at Riverside Nursery has sent you a reminder" in message.body
    assert "Safeguarding babies: overdue, was due 8 March 2027 (2 days ago)" in message.body
    assert "Health visitor pathway: not started, due 19 April 2027 (in 40 days)" in message.body
    assert "Done already" not in message.body
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.sent_by, reminder.user, reminder.assignment) == (
        Reminder.Kind.MANUAL,
        manager,
        staff,
        None,
    )


def test_a_person_is_reminded_by_hand_at_most_once_a_day(organisation, manager, staff, course):
    assign(organisation, staff, course, due_on=day(20))
    with on(D0, 9):
        assert (
            reminders_send_manual(
                organisation=organisation, actor=manager, user_ids=[staff.pk]
            ).sent
            == 1
        )
    with on(D0 + datetime.timedelta(days=1), 8):  # 23 hours later
        outcome = reminders_send_manual(
            organisation=organisation, actor=manager, user_ids=[staff.pk]
        )
    assert (outcome.sent, outcome.skipped) == (0, ["Sam Midwife was reminded less than a day ago"])
    with on(D0 + datetime.timedelta(days=1), 10):  # 25 hours later
        assert (
            reminders_send_manual(
                organisation=organisation, actor=manager, user_ids=[staff.pk]
            ).sent
            == 1
        )
    assert len(mail.outbox) == 2


def test_automatic_reminders_do_not_block_a_manual_one(organisation, manager, staff, course):
    assign(organisation, staff, course, due_on=day(3))
    with on(D0):
        reminders_send_due()
        outcome = reminders_send_manual(
            organisation=organisation, actor=manager, user_ids=[staff.pk]
        )
    assert outcome.sent == 1
    assert len(mail.outbox) == 2


@pytest.mark.parametrize("chosen", ["outsider", "left", "mixed", "empty", "junk"])
def test_choosing_anyone_outside_the_organisation_sends_nothing(
    chosen, organisation, other_organisation, manager, staff, member, course
):
    outsider = member(organisation=other_organisation).user
    assign(other_organisation, outsider, course, due_on=day(3))
    assign(organisation, staff, course, due_on=day(3))
    left = member(name="Gone Away")
    left.status = Membership.Status.LEFT
    left.save()
    assign(organisation, left.user, course, due_on=day(3))
    user_ids = {
        "outsider": [outsider.pk],
        "left": [left.user_id],
        "mixed": [staff.pk, outsider.pk],
        "empty": [],
        "junk": ["1; DROP TABLE"],
    }[chosen]

    with pytest.raises(ValidationError) as error:
        reminders_send_manual(organisation=organisation, actor=manager, user_ids=user_ids)

    assert error.value.message_dict == {"members": ["Choose staff from your organisation."]}
    assert mail.outbox == []
    assert not Reminder.objects.exists()


def test_only_a_current_manager_may_send_reminders(
    organisation, manager_membership, other_manager, staff, course
):
    assign(organisation, staff, course, due_on=day(3))
    for actor in (other_manager, staff):
        with pytest.raises(PermissionDenied):
            reminders_send_manual(organisation=organisation, actor=actor, user_ids=[staff.pk])
    manager_membership.status = Membership.Status.LEFT
    manager_membership.save()
    with pytest.raises(PermissionDenied):
        reminders_send_manual(
            organisation=organisation, actor=manager_membership.user, user_ids=[staff.pk]
        )
    assert mail.outbox == []


def test_a_reminder_another_run_recorded_first_is_not_sent_again(organisation, staff, course):
    assignment = assign(organisation, staff, course, due_on=day(3))
    [person] = reminders._due_people(organisation=organisation, today=D0)
    # Another worker records the same reminder between this run's read and its write.
    Reminder.objects.create(
        organisation=organisation,
        user=staff,
        assignment=assignment,
        kind=Reminder.Kind.DUE_SOON,
        due_on=day(3),
    )

    assert reminders._person_remind(organisation=organisation, person=person, today=D0) == (0, 0)
    assert mail.outbox == []
    assert Reminder.objects.count() == 1
