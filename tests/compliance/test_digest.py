"""The weekly digest to managers: once a week each, about their own organisation only."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from imh_compliance.models import Digest, MandatoryRule
from imh_compliance.services import reminders
from imh_compliance.services.reminders import digests_send, week_starting
from imh_compliance.tasks.reminders import compliance_digests_task
from imh_organisations.models import Membership
from tests.compliance.reminders_fixtures import D0, assign, complete, day, on
from tests.courses.factories import create_course

pytestmark = pytest.mark.django_db

MONDAY = D0 - datetime.timedelta(days=2)  # D0 is a Wednesday


def digests_to(user) -> list:
    return [message for message in mail.outbox if message.to == [user.email]]


@pytest.fixture
def rule(organisation, course):
    return MandatoryRule.objects.create(organisation=organisation, course=course)


def test_week_starting_is_the_monday():
    assert MONDAY.weekday() == 0
    assert [week_starting(MONDAY + datetime.timedelta(days=n)) for n in range(7)] == [MONDAY] * 7
    assert week_starting(MONDAY + datetime.timedelta(days=7)) == MONDAY + datetime.timedelta(days=7)


def test_each_manager_gets_one_digest_a_week(organisation, manager, member, staff, course, rule):
    second = member(name="Robin Second", membership_role=Membership.Role.MANAGER).user
    assign(organisation, staff, course, due_on=day(30))

    assert digests_send(today=MONDAY) == 2
    assert len(digests_to(manager)) == 1
    assert len(digests_to(second)) == 1
    assert digests_to(staff) == []

    for later in range(1, 7):  # the rest of the week: nothing more
        assert digests_send(today=MONDAY + datetime.timedelta(days=later)) == 0
    assert len(mail.outbox) == 2

    assert digests_send(today=MONDAY + datetime.timedelta(days=7)) == 2
    assert set(Digest.objects.values_list("week_starting", flat=True)) == {
        MONDAY,
        MONDAY + datetime.timedelta(days=7),
    }


def test_a_missed_monday_is_made_up_later_in_the_week(organisation, manager, course, rule):
    assert digests_send(today=MONDAY + datetime.timedelta(days=3)) == 1
    assert digests_send(today=MONDAY + datetime.timedelta(days=4)) == 0
    assert Digest.objects.get().week_starting == MONDAY


def test_the_digest_gives_totals_names_and_a_link(
    organisation, manager, staff, member, course, pathway, rule
):
    expiring = member(name="Erin Expiring").user
    lapsed = member(name="Lee Lapsed").user
    fine = member(name="Frankie Fine").user
    starting = member(name="Nat New").user
    assign(organisation, staff, course, due_on=day(-3))  # overdue
    assign(organisation, expiring, course, due_on=day(-100))
    complete(expiring, course, on_date=day(-300), expires_on=day(40))
    assign(organisation, lapsed, course, due_on=day(-400))
    complete(lapsed, course, on_date=day(-400), expires_on=day(-20))
    assign(organisation, fine, course, due_on=day(-100))
    complete(fine, course, on_date=day(-10), expires_on=day(355))
    assign(organisation, starting, course, due_on=day(30))
    assign(organisation, starting, pathway, due_on=day(60))

    digests_send(today=D0)

    [message] = digests_to(manager)
    body = message.body
    assert message.subject == "Mandatory training this week at Riverside Nursery"
    assert "Hello Morgan Manager," in body
    assert "for the week starting 8 March 2027" in body
    assert "2 of 5 staff with mandatory training have met all of it." in body
    assert "Safeguarding babies\n  Completed: 1\n  Expiring soon: 1\n  Overdue: 1\n" in body
    assert "  Expired: 1\n  Not started: 1\n  In progress: 0\n" in body
    assert "Health visitor pathway\n  Completed: 0\n" in body
    assert "Overdue or expired (2 people)" in body
    assert "- Sam Midwife: Safeguarding babies (overdue, was due 7 March 2027)" in body
    assert "- Lee Lapsed: Safeguarding babies (expired 18 February 2027)" in body
    assert "Expiring in the next 60 days (1 person)" in body
    assert "- Erin Expiring: Safeguarding babies (valid until 19 April 2027)" in body
    assert "Frankie Fine" not in body
    assert "Nat New" not in body
    assert f"http://testserver{reverse('imh_compliance:dashboard', args=[organisation.pk])}" in body


def test_long_lists_are_cut_short(organisation, manager, member, course, rule):
    for number in range(23):
        person = member(name=f"Person {number:02d}").user
        assign(organisation, person, course, due_on=day(-1))

    digests_send(today=D0)

    body = digests_to(manager)[0].body
    assert "Overdue or expired (23 people)" in body
    assert "- Person 19:" in body
    assert "- Person 20:" not in body
    assert "- and 3 more" in body


def test_managers_hear_only_about_their_own_organisation(
    organisation, other_organisation, manager, other_manager, staff, member, course, rule
):
    MandatoryRule.objects.create(organisation=other_organisation, course=course)
    assign(organisation, staff, course, due_on=day(-3))
    theirs = member(organisation=other_organisation, name="Other Person").user
    assign(other_organisation, theirs, course, due_on=day(-3))

    assert digests_send(today=D0) == 2

    [ours] = digests_to(manager)
    [other] = digests_to(other_manager)
    assert "Sam Midwife" in ours.body
    assert "Other Person" not in ours.body
    assert "Other Person" in other.body
    assert "Sam Midwife" not in other.body
    assert "Riverside Nursery" not in other.body


def test_who_gets_no_digest(organisation, other_organisation, manager_membership, member):
    # An organisation with no requirements sends nothing.
    assert digests_send(today=D0) == 0
    # Former managers, inactive accounts and inactive organisations get nothing either.
    member(organisation=other_organisation, membership_role=Membership.Role.MANAGER)
    gone = member(organisation=other_organisation, membership_role=Membership.Role.MANAGER)
    gone.status = Membership.Status.LEFT
    gone.save()
    closed = member(organisation=other_organisation, membership_role=Membership.Role.MANAGER)
    closed.user.is_active = False
    closed.user.save()
    MandatoryRule.objects.create(
        organisation=other_organisation,
        course=create_course(title="Other", modules=1, lessons_per_module=1),
    )

    assert digests_send(today=D0) == 1  # the one current manager
    assert digests_to(gone.user) == []
    assert digests_to(closed.user) == []
    assert digests_to(manager_membership.user) == []

    other_organisation.is_active = False
    other_organisation.save()
    assert digests_send(today=D0 + datetime.timedelta(days=7)) == 0


def test_the_matrix_is_worked_out_once_per_organisation(
    organisation, manager, member, course, rule, monkeypatch
):
    member(name="Robin Second", membership_role=Membership.Role.MANAGER)
    member(name="Kim Third", membership_role=Membership.Role.MANAGER)
    calls = []
    original = reminders.compliance_matrix

    def counting(**kwargs):
        calls.append(kwargs["organisation"].pk)
        return original(**kwargs)

    monkeypatch.setattr(reminders, "compliance_matrix", counting)

    assert digests_send(today=D0) == 3
    assert calls == [organisation.pk]
    assert digests_send(today=D0) == 0
    assert calls == [organisation.pk]  # nobody waiting: not worked out again


def test_the_task_and_the_command_send_them(organisation, manager, course, rule, capsys):
    with on(D0):
        compliance_digests_task.enqueue()
    assert len(digests_to(manager)) == 1

    call_command("compliance_send_digests", "--date", (D0 + datetime.timedelta(days=7)).isoformat())
    assert "Sent 1 digest." in capsys.readouterr().out
    assert len(digests_to(manager)) == 2


def test_a_digest_another_run_sent_first_is_not_sent_again(organisation, manager, course, rule):
    content = reminders.digest_content(organisation=organisation, today=D0)
    sent = [
        reminders._digest_send_one(
            organisation=organisation, manager=manager, week=MONDAY, content=content
        )
        for _ in range(2)
    ]

    assert sent == [True, False]
    assert len(mail.outbox) == 1
