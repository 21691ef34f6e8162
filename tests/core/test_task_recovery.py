"""Recovering tasks lost with their worker, and renders that were never queued.

The worker is simulated here (a result left "running" with an old start time); the test that
really kills a ``db_worker`` process is ``test_task_recovery_worker.py``.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.test import override_settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from imh_certificates.models import Certificate
from imh_certificates.tasks import certificate_render_pdf
from imh_compliance.models import Report
from imh_compliance.tasks.reports import compliance_report_render_task
from imh_core.scheduler import Schedule, schedules_registered
from imh_core.task_recovery import (
    MAX_RECOVERIES,
    WorkerLost,
    task_lease,
    tasks_recover,
)
from imh_core.task_results import EMAIL_TASK_PATH
from tests.certificates.factories import CertificateFactory
from tests.core.queue import ago, database_queue, mark, run_queue
from tests.organisations.factories import ManagerMembershipFactory

pytestmark = pytest.mark.django_db

WORKER_LOST = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"
CERTIFICATE_RENDER = "imh_certificates.tasks.certificate_render_pdf"
REPORT_RENDER = "imh_compliance.tasks.reports.compliance_report_render_task"


def _schedule(name: str) -> Schedule:
    return next(schedule for schedule in schedules_registered() if schedule.name == name)


def _results(task_path: str, status: str | None = None):
    results = DBTaskResult.objects.filter(task_path=task_path)
    return results.filter(status=status) if status else results


def _lost_render(certificate: Certificate, *, minutes: int = 20) -> DBTaskResult:
    """A render claimed by a worker that died ``minutes`` ago, mid-render."""
    result_id = certificate_render_pdf.enqueue(certificate.pk).id
    mark(result_id, status=TaskResultStatus.RUNNING, started=ago(minutes=minutes))
    return DBTaskResult.objects.get(pk=result_id)


def _queued(task_path: str) -> list[list]:
    return [
        result.args_kwargs["args"]
        for result in _results(task_path, TaskResultStatus.READY).order_by("enqueued_at")
    ]


# Tasks lost with their worker.


@database_queue
def test_a_render_lost_with_its_worker_is_failed_and_queued_again_and_the_pdf_is_made():
    certificate = CertificateFactory()
    lost = _lost_render(certificate)

    recovery = tasks_recover()

    assert recovery.as_dict() == {
        "failed": 1,
        "requeued": 1,
        "abandoned": 0,
        "outstanding_requeued": 0,
    }
    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.FAILED
    assert lost.exception_class_path == WORKER_LOST
    assert "presumed to have stopped" in lost.traceback
    assert lost.finished_at is not None
    assert _queued(CERTIFICATE_RENDER) == [[certificate.pk]]

    run_queue()

    certificate.refresh_from_db()
    assert certificate.pdf_status == Certificate.PdfStatus.READY
    assert certificate.pdf
    assert not _results(CERTIFICATE_RENDER, TaskResultStatus.RUNNING).exists()


@database_queue
def test_a_task_running_within_its_lease_is_left_alone():
    certificate = CertificateFactory()
    running = _lost_render(certificate, minutes=14)

    assert tasks_recover().as_dict()["failed"] == 0

    running.refresh_from_db()
    assert running.status == TaskResultStatus.RUNNING
    assert _queued(CERTIFICATE_RENDER) == []


@database_queue
@override_settings(IMH_TASK_LEASE_MINUTES=60)
def test_the_lease_is_a_setting():
    certificate = CertificateFactory()
    running = _lost_render(certificate, minutes=30)

    tasks_recover()
    running.refresh_from_db()
    assert running.status == TaskResultStatus.RUNNING

    tasks_recover(now=timezone.now() + datetime.timedelta(minutes=31))
    running.refresh_from_db()
    assert running.status == TaskResultStatus.FAILED


@pytest.mark.parametrize("minutes", [0, -5, "15"])
def test_a_lease_that_is_not_a_positive_whole_number_is_refused(minutes):
    with (
        override_settings(IMH_TASK_LEASE_MINUTES=minutes),
        pytest.raises(ImproperlyConfigured, match="IMH_TASK_LEASE_MINUTES"),
    ):
        task_lease()


@database_queue
@override_settings(
    EMAIL_BACKEND="imh_core.mail.TaskEmailBackend",
    IMH_EMAIL_DELIVERY_BACKEND="django.core.mail.backends.locmem.EmailBackend",
)
def test_an_email_lost_with_its_worker_is_failed_but_never_sent_again():
    send_mail("Confirm your email", "Link", "from@example.org", ["ann@example.org"])
    email = _results(EMAIL_TASK_PATH).get()
    mark(email.pk, status=TaskResultStatus.RUNNING, started=ago(minutes=20))

    recovery = tasks_recover()

    assert recovery.as_dict()["failed"] == 1
    assert recovery.as_dict()["requeued"] == 0
    email.refresh_from_db()
    assert email.status == TaskResultStatus.FAILED
    assert email.exception_class_path == WORKER_LOST
    assert _results(EMAIL_TASK_PATH).count() == 1


@database_queue
def test_a_render_that_keeps_killing_its_worker_is_given_up_after_a_few_tries():
    certificate = CertificateFactory()
    for attempt in range(1, MAX_RECOVERIES + 1):
        _results(CERTIFICATE_RENDER, TaskResultStatus.READY).delete()
        _lost_render(certificate)
        recovery = tasks_recover().as_dict()
        if attempt < MAX_RECOVERIES:
            assert recovery["requeued"] == 1, attempt
        else:
            assert recovery["requeued"] == 0
            assert recovery["abandoned"] == 1
    assert _queued(CERTIFICATE_RENDER) == []

    # The safety net for waiting certificates does not start it again either.
    later = timezone.now() + datetime.timedelta(hours=1)
    assert tasks_recover(now=later).as_dict()["outstanding_requeued"] == 0
    assert _queued(CERTIFICATE_RENDER) == []


@database_queue
def test_a_slow_task_that_finishes_after_all_records_its_real_outcome():
    certificate = CertificateFactory()
    slow = _lost_render(certificate)
    tasks_recover()

    slow.refresh_from_db()
    slow.set_successful("ready")  # what its worker does when it finishes

    slow.refresh_from_db()
    assert slow.status == TaskResultStatus.SUCCESSFUL


@database_queue
def test_two_recoveries_at_once_queue_one_retry():
    certificate = CertificateFactory()
    _lost_render(certificate)
    stale = list(DBTaskResult.objects.running())

    tasks_recover()
    # A second pass that had listed the same result before the first one changed it.
    from imh_core import task_recovery

    recovery = task_recovery.Recovery()
    task_recovery._recover(
        result_id=stale[0].pk,
        now=timezone.now(),
        lease=datetime.timedelta(minutes=15),
        retry_safe=set(task_recovery.recoverable_tasks()),
        recovery=recovery,
    )

    assert recovery.failed == []
    assert _queued(CERTIFICATE_RENDER) == [[certificate.pk]]


# Records left waiting with no task (the safety net).


@database_queue
def test_a_certificate_waiting_with_no_task_gets_its_render_queued():
    forgotten = CertificateFactory()
    Certificate.objects.filter(pk=forgotten.pk).update(created_at=ago(minutes=20))
    queued = CertificateFactory()
    Certificate.objects.filter(pk=queued.pk).update(created_at=ago(minutes=20))
    certificate_render_pdf.enqueue(queued.pk)
    just_issued = CertificateFactory()  # its render is about to be queued, on commit
    ready = CertificateFactory(pdf_status=Certificate.PdfStatus.READY)
    Certificate.objects.filter(pk=ready.pk).update(created_at=ago(minutes=20))
    gave_up = CertificateFactory(pdf_status=Certificate.PdfStatus.GAVE_UP)
    Certificate.objects.filter(pk=gave_up.pk).update(created_at=ago(minutes=20))

    recovery = tasks_recover()

    assert recovery.outstanding_requeued == [f"{CERTIFICATE_RENDER} {forgotten.pk}"]
    assert sorted(_queued(CERTIFICATE_RENDER)) == sorted([[queued.pk], [forgotten.pk]])
    assert just_issued.pk not in {args[0] for args in _queued(CERTIFICATE_RENDER)}

    run_queue()
    forgotten.refresh_from_db()
    assert forgotten.pdf_status == Certificate.PdfStatus.READY


@database_queue
def test_an_inspection_report_waiting_with_no_task_gets_its_render_queued():
    membership = ManagerMembershipFactory()
    report = Report.objects.create(
        organisation=membership.organisation,
        requested_by=membership.user,
        filters={},
        created_at=ago(minutes=20),
    )

    tasks_recover()

    assert _queued(REPORT_RENDER) == [[report.pk]]
    run_queue()
    report.refresh_from_db()
    assert report.status == Report.Status.READY
    # Nothing is left to queue: the next pass does nothing.
    assert tasks_recover().as_dict()["outstanding_requeued"] == 0
    assert compliance_report_render_task.module_path == REPORT_RENDER


def test_recovery_does_nothing_when_tasks_are_not_stored():
    assert tasks_recover().as_dict() == {
        "failed": 0,
        "requeued": 0,
        "abandoned": 0,
        "outstanding_requeued": 0,
    }


# The schedule.


def test_recovery_is_scheduled_every_five_minutes():
    by_name = {schedule.name: schedule for schedule in schedules_registered()}
    schedule = by_name["tasks-recover"]
    assert schedule.description == "Every 5 minutes"
    assert import_string(schedule.task).priority > 0  # ahead of a backlog of ordinary work
    at = timezone.make_aware(datetime.datetime(2027, 3, 10, 7, 13, 20))
    assert schedule.latest_slot(at) == timezone.make_aware(datetime.datetime(2027, 3, 10, 7, 10))
    assert schedule.latest_slot(at + datetime.timedelta(minutes=2)) == (
        timezone.make_aware(datetime.datetime(2027, 3, 10, 7, 15))
    )


def test_an_interval_schedule_is_checked():
    with pytest.raises(ValueError, match="either"):
        Schedule(name="bad", task="x.y")
    with pytest.raises(ValueError, match="either"):
        Schedule(name="bad", task="x.y", at=datetime.time(1), every=datetime.timedelta(hours=1))
    with pytest.raises(ValueError, match="a minute or more"):
        Schedule(name="bad", task="x.y", every=datetime.timedelta(seconds=30))
    assert Schedule(name="ok", task="x.y", every=datetime.timedelta(minutes=1)).description == (
        "Every minute"
    )


@pytest.mark.django_db
def test_the_frequent_schedules_keep_a_day_of_runs():
    from imh_core.models import ScheduledRun
    from imh_core.scheduler import schedules_run_due

    recover = next(
        schedule for schedule in schedules_registered() if schedule.name == "tasks-recover"
    )
    now = timezone.make_aware(datetime.datetime(2027, 3, 10, 7, 13))
    ScheduledRun.objects.create(name="tasks-recover", slot=now - datetime.timedelta(hours=25))
    ScheduledRun.objects.create(name="tasks-recover", slot=now - datetime.timedelta(hours=23))

    schedules_run_due(now=now, schedules=[recover])

    assert sorted(ScheduledRun.objects.values_list("slot", flat=True)) == [
        now - datetime.timedelta(hours=23),
        timezone.make_aware(datetime.datetime(2027, 3, 10, 7, 10)),
    ]


@database_queue
def test_the_scheduled_recovery_task_recovers():
    from imh_core.scheduler import schedules_run_due

    certificate = CertificateFactory()
    lost = _lost_render(certificate)
    recover = next(
        schedule for schedule in schedules_registered() if schedule.name == "tasks-recover"
    )

    assert schedules_run_due(schedules=[recover]) == ["tasks-recover"]
    run_queue()

    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.FAILED
    certificate.refresh_from_db()
    assert certificate.pdf_status == Certificate.PdfStatus.READY
