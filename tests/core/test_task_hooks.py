"""Apps and host sites add scheduled jobs and recoverable tasks through hooks, and the task
API works the same whichever Django runs."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from wagtail import hooks

from imh_core.hooks import IMH_RECOVERABLE_TASKS, IMH_SCHEDULES
from imh_core.models import ScheduledRun
from imh_core.scheduler import Schedule, schedules_registered, schedules_run_due
from imh_core.task_recovery import Recoverable, recoverable_tasks
from imh_core.tasks import enqueue_later, task
from tests.core.queue import database_queue

RAN: list[str] = []


@task()
def host_job() -> str:
    RAN.append("host")
    return "done"


HOST_JOB = Schedule(name="host-newsletter", task=f"{__name__}.host_job", at=datetime.time(6, 0))


def test_every_app_schedules_its_own_jobs():
    names = {schedule.name for schedule in schedules_registered()}
    assert {"task-results-prune", "tasks-recover"} <= names  # imh_core
    assert "certificate-expiry-reminders" in names  # imh_certificates
    assert {"compliance-reminders", "compliance-digest", "compliance-rules-sync"} <= names


@pytest.mark.django_db
def test_a_host_site_adds_a_job_with_the_hook():
    RAN.clear()
    with hooks.register_temporarily(IMH_SCHEDULES, lambda: [HOST_JOB]):
        assert HOST_JOB in schedules_registered()
        queued = schedules_run_due(now=timezone.now())
    assert "host-newsletter" in queued
    assert RAN == ["host"]  # the immediate backend in tests runs it at once
    assert ScheduledRun.objects.filter(name="host-newsletter").count() == 1


def test_two_jobs_with_one_name_are_refused():
    clash = Schedule(name="tasks-recover", task=f"{__name__}.host_job", at=datetime.time(1, 0))
    with (
        hooks.register_temporarily(IMH_SCHEDULES, lambda: [clash]),
        pytest.raises(ImproperlyConfigured, match="tasks-recover"),
    ):
        schedules_registered()


def test_the_apps_name_their_recoverable_tasks():
    found = recoverable_tasks()
    render = found["imh_certificates.tasks.certificate_render_pdf"]
    assert render.outstanding == "imh_certificates.tasks.certificate_pdfs_outstanding"
    assert "imh_compliance.tasks.assignments.rules_sync_task" in found
    # Emails may have gone before their worker died: never run twice.
    assert "imh_core.mail.email_deliver" not in found


def test_a_host_site_adds_a_recoverable_task():
    mine = Recoverable(task=f"{__name__}.host_job")
    with hooks.register_temporarily(IMH_RECOVERABLE_TASKS, lambda: [mine]):
        assert recoverable_tasks()[f"{__name__}.host_job"] == mine
    assert f"{__name__}.host_job" not in recoverable_tasks()


def test_enqueue_later_runs_at_once_on_a_backend_that_cannot_wait():
    RAN.clear()
    enqueue_later(host_job, delay=datetime.timedelta(hours=1))
    assert RAN == ["host"]


@pytest.mark.django_db
@database_queue
def test_enqueue_later_waits_on_a_backend_that_can():
    before = timezone.now()
    result = enqueue_later(host_job, delay=datetime.timedelta(minutes=10))
    stored = DBTaskResult.objects.get(pk=result.id)
    assert stored.run_after >= before + datetime.timedelta(minutes=10)
