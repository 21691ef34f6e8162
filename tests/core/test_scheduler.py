"""The scheduler: when each job is due, once per slot, catch-up after downtime, the command."""

from __future__ import annotations

import datetime
import os
import signal

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.module_loading import import_string

from imh_compliance.models import Assignment, Digest, MandatoryRule, Reminder
from imh_core import scheduler
from imh_core.management.commands import run_scheduler
from imh_core.models import ScheduledRun
from imh_core.scheduler import Schedule, schedules_registered, schedules_run_due
from imh_core.tasks import task
from tests.courses.factories import create_course
from tests.organisations.factories import ManagerMembershipFactory, MembershipFactory

# Test tasks are queued by dotted path like the real ones; they record each run here.
RUNS: list[str] = []


@task()
def record_run() -> str:
    RUNS.append("ran")
    return "ran"


@pytest.fixture(autouse=True)
def _runs():
    RUNS.clear()
    yield
    RUNS.clear()


def local(*args: int) -> datetime.datetime:
    """A local (UK) time."""
    return timezone.make_aware(datetime.datetime(*args))


DAILY = Schedule(name="test-daily", task=f"{__name__}.record_run", at=datetime.time(7, 15))
WEEKLY = Schedule(
    name="test-weekly", task=f"{__name__}.record_run", at=datetime.time(7, 30), weekday=0
)


# Slots (no database).


def test_a_daily_slot_is_today_once_the_time_has_come_and_yesterday_before():
    assert DAILY.latest_slot(local(2027, 3, 10, 7, 14)) == local(2027, 3, 9, 7, 15)
    assert DAILY.latest_slot(local(2027, 3, 10, 7, 15)) == local(2027, 3, 10, 7, 15)
    assert DAILY.latest_slot(local(2027, 3, 10, 23, 59)) == local(2027, 3, 10, 7, 15)
    assert DAILY.latest_slot(local(2027, 3, 11, 0, 1)) == local(2027, 3, 10, 7, 15)


def test_a_weekly_slot_is_the_latest_monday_at_the_time():
    # 8 March 2027 is a Monday.
    assert WEEKLY.latest_slot(local(2027, 3, 8, 7, 29)) == local(2027, 3, 1, 7, 30)
    assert WEEKLY.latest_slot(local(2027, 3, 8, 7, 30)) == local(2027, 3, 8, 7, 30)
    assert WEEKLY.latest_slot(local(2027, 3, 10, 12, 0)) == local(2027, 3, 8, 7, 30)
    assert WEEKLY.latest_slot(local(2027, 3, 14, 23, 0)) == local(2027, 3, 8, 7, 30)
    assert WEEKLY.latest_slot(local(2027, 3, 15, 8, 0)) == local(2027, 3, 15, 7, 30)


def test_slots_follow_local_time_across_the_clock_change():
    # British Summer Time starts on 28 March 2027: 07:15 is 07:15 GMT before, 06:15 UTC after.
    before = DAILY.latest_slot(local(2027, 3, 27, 9, 0))
    after = DAILY.latest_slot(local(2027, 3, 29, 9, 0))
    assert before.astimezone(datetime.UTC).hour == 7
    assert after.astimezone(datetime.UTC).hour == 6
    assert timezone.localtime(after).hour == 7


def test_schedules_describe_themselves():
    assert DAILY.description == "Daily at 07:15"
    assert WEEKLY.description == "Mondays at 07:30"
    with pytest.raises(ValueError, match="weekday"):
        Schedule(name="bad", task="x.y", at=datetime.time(1), weekday=7)


def test_the_site_schedules():
    by_name = {schedule.name: schedule for schedule in schedules_registered()}
    assert by_name["certificate-expiry-reminders"].description == "Daily at 07:00"
    assert by_name["compliance-reminders"].description == "Daily at 07:15"
    assert by_name["compliance-rules-sync"].description == "Daily at 02:00"
    assert by_name["compliance-renewals"].description == "Daily at 02:00"
    assert by_name["compliance-digest"].description == "Mondays at 07:30"
    assert by_name["compliance-reports-expire"].description == "Daily at 03:00"
    assert len(by_name) == len(schedules_registered())
    for schedule in schedules_registered():
        assert callable(import_string(schedule.task).enqueue), schedule.task


# Queuing (database).


@pytest.mark.django_db
def test_two_passes_in_the_same_slot_queue_the_task_once():
    assert schedules_run_due(now=local(2027, 3, 10, 7, 15), schedules=[DAILY]) == ["test-daily"]
    assert schedules_run_due(now=local(2027, 3, 10, 7, 16), schedules=[DAILY]) == []
    assert schedules_run_due(now=local(2027, 3, 10, 22, 0), schedules=[DAILY]) == []
    assert RUNS == ["ran"]
    run = ScheduledRun.objects.get()
    assert (run.name, run.slot) == ("test-daily", local(2027, 3, 10, 7, 15))
    assert run.task_id

    assert schedules_run_due(now=local(2027, 3, 11, 7, 15), schedules=[DAILY]) == ["test-daily"]
    assert RUNS == ["ran", "ran"]


@pytest.mark.django_db
def test_after_downtime_only_the_latest_missed_slot_runs_once():
    schedules_run_due(now=local(2027, 3, 1, 8, 0), schedules=[DAILY, WEEKLY])
    RUNS.clear()

    # Down from 1 March until the afternoon of 10 March: many slots missed.
    queued = schedules_run_due(now=local(2027, 3, 10, 15, 0), schedules=[DAILY, WEEKLY])

    assert queued == ["test-daily", "test-weekly"]
    assert RUNS == ["ran", "ran"]
    assert set(ScheduledRun.objects.values_list("name", "slot")) == {
        ("test-daily", local(2027, 3, 1, 7, 15)),
        ("test-weekly", local(2027, 3, 1, 7, 30)),
        ("test-daily", local(2027, 3, 10, 7, 15)),
        ("test-weekly", local(2027, 3, 8, 7, 30)),
    }
    assert schedules_run_due(now=local(2027, 3, 10, 15, 1), schedules=[DAILY, WEEKLY]) == []


@pytest.mark.django_db
def test_a_slot_another_scheduler_queued_first_is_not_queued_again():
    slot = DAILY.latest_slot(local(2027, 3, 10, 9, 0))
    assert scheduler._enqueue(schedule=DAILY, slot=slot) is True
    # The second scheduler read "not queued" before the first committed: the row stops it.
    assert scheduler._enqueue(schedule=DAILY, slot=slot) is False
    assert RUNS == ["ran"]
    assert ScheduledRun.objects.count() == 1


@pytest.mark.django_db
def test_a_job_that_cannot_be_queued_is_retried_and_does_not_stop_the_others():
    broken = Schedule(name="test-broken", task="tests.core.no_such_module.task", at=DAILY.at)
    now = local(2027, 3, 10, 9, 0)

    assert schedules_run_due(now=now, schedules=[broken, DAILY]) == ["test-daily"]
    assert not ScheduledRun.objects.filter(name="test-broken").exists()
    assert RUNS == ["ran"]


@pytest.mark.django_db
def test_old_runs_are_forgotten():
    ScheduledRun.objects.create(name="test-daily", slot=local(2026, 1, 1, 7, 15))
    ScheduledRun.objects.create(name="test-daily", slot=local(2027, 3, 1, 7, 15))

    schedules_run_due(now=local(2027, 3, 10, 9, 0), schedules=[DAILY])

    assert sorted(ScheduledRun.objects.values_list("slot", flat=True)) == [
        local(2027, 3, 1, 7, 15),
        local(2027, 3, 10, 7, 15),
    ]


# The command, with the site's own schedules.


@pytest.mark.django_db
def test_one_pass_of_the_command_runs_the_real_jobs(capsys):
    organisation = MembershipFactory().organisation
    staff = MembershipFactory(organisation=organisation).user
    manager = ManagerMembershipFactory(organisation=organisation).user
    course = create_course(title="Safeguarding babies", modules=1, lessons_per_module=1)
    MandatoryRule.objects.create(organisation=organisation, course=course)
    Assignment.objects.create(
        organisation=organisation,
        user=staff,
        course=course,
        due_on=datetime.date(2027, 3, 15),
        source=Assignment.Source.MANAGER,
    )

    with time_machine.travel(local(2027, 3, 8, 7, 40), tick=False):  # a Monday
        call_command("run_scheduler", "--once")

    out = capsys.readouterr().out
    for schedule in schedules_registered():
        assert f"Queued {schedule.name}." in out
    assert ScheduledRun.objects.count() == len(schedules_registered())
    # The reminders and the digest really ran.
    assert Reminder.objects.filter(user=staff, kind=Reminder.Kind.DUE_SOON).exists()
    assert Digest.objects.filter(manager=manager).exists()
    subjects = sorted(message.subject for message in mail.outbox)
    assert any(subject.startswith("Mandatory training due soon") for subject in subjects)
    assert any(subject.startswith("Mandatory training this week") for subject in subjects)

    mail.outbox.clear()
    with time_machine.travel(local(2027, 3, 8, 16, 0), tick=False):
        call_command("run_scheduler", "--once")
    # Only the five-minute upkeep is due again; no daily or weekly job is queued twice.
    assert capsys.readouterr().out.splitlines() == ["Queued tasks-recover."]
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_scheduler_stops_cleanly_on_sigterm(monkeypatch, capsys):
    passes = []

    def one_pass():
        passes.append(1)
        if len(passes) == 2:  # the host stops the service during the second pass
            os.kill(os.getpid(), signal.SIGTERM)
        return []

    monkeypatch.setattr(run_scheduler, "schedules_run_due", one_pass)
    # The test's database transaction must stay open: no connection handling here.
    monkeypatch.setattr(run_scheduler, "close_old_connections", lambda: None)
    monkeypatch.setattr(run_scheduler.connections, "close_all", lambda: None)
    previous = signal.getsignal(signal.SIGTERM)

    call_command("run_scheduler", "--interval", "0.05")

    out = capsys.readouterr().out
    assert "Scheduler started." in out
    assert out.rstrip().endswith("Scheduler stopped.")
    assert len(passes) == 2  # the pass finished, and no other began
    assert signal.getsignal(signal.SIGTERM) == previous


def test_the_interval_must_be_positive():
    with pytest.raises(CommandError, match="more than 0 seconds"):
        call_command("run_scheduler", "--interval", "0")
