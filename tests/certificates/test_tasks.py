"""The PDF render task: stores the PDF once, records failures, retries with backoff, gives up."""

from __future__ import annotations

import datetime
from importlib import import_module
from importlib.util import find_spec

import pytest
from django.test import override_settings
from django.utils import timezone

from imh_certificates import rendering, tasks
from imh_certificates.models import Certificate, CertificateEvent
from tests.certificates.factories import CertificateFactory
from tests.certificates.pdftools import pdf_text, requires_poppler

pytestmark = pytest.mark.django_db

# Django's task API where it has one (6.0+), as the test settings use; the backport on 5.2.
TASKS_PACKAGE = "django.tasks" if find_spec("django.tasks") else "django_tasks"
DUMMY_TASKS = {"default": {"BACKEND": f"{TASKS_PACKAGE}.backends.dummy.DummyBackend"}}


def _actions(certificate: Certificate) -> list[str]:
    return list(certificate.events.values_list("action", flat=True))


@pytest.fixture
def failing_render(monkeypatch):
    """Make the next ``failures`` renders raise; later ones render for real."""
    calls = {"count": 0, "failures": 0}
    real = rendering.certificate_pdf

    def render(**kwargs):
        calls["count"] += 1
        if calls["count"] <= calls["failures"]:
            raise RuntimeError("pango exploded")
        return real(**kwargs)

    monkeypatch.setattr(rendering, "certificate_pdf", render)
    return calls


@requires_poppler
def test_render_stores_the_pdf_and_records_it():
    certificate = CertificateFactory(holder_name="Ada Lovelace")
    assert certificate.pdf_status == Certificate.PdfStatus.PENDING

    result = tasks.certificate_render_pdf.enqueue(certificate.pk)

    certificate.refresh_from_db()
    assert result.return_value == "ready"
    assert certificate.pdf_status == Certificate.PdfStatus.READY
    assert certificate.pdf.name.startswith("private/certificates/certificate-")
    assert certificate.pdf_rendered_at is not None
    assert certificate.pdf_attempts == 1
    assert certificate.pdf_error == ""
    with certificate.pdf.open("rb") as handle:
        pdf = handle.read()
    assert pdf.startswith(b"%PDF-")
    assert "Ada Lovelace" in pdf_text(pdf)
    assert _actions(certificate) == [
        CertificateEvent.Action.ISSUED,
        CertificateEvent.Action.PDF_READY,
    ]


def test_render_of_a_ready_certificate_does_nothing(failing_render):
    certificate = CertificateFactory()
    tasks.certificate_render_pdf.enqueue(certificate.pk)
    certificate.refresh_from_db()
    name, rendered_at = certificate.pdf.name, certificate.pdf_rendered_at
    failing_render["failures"] = 99  # a second render would fail loudly

    result = tasks.certificate_render_pdf.enqueue(certificate.pk)

    certificate.refresh_from_db()
    assert result.return_value == "already ready"
    assert (certificate.pdf.name, certificate.pdf_rendered_at) == (name, rendered_at)
    assert certificate.pdf_attempts == 1
    assert _actions(certificate).count(CertificateEvent.Action.PDF_READY) == 1


def test_render_of_a_missing_certificate_does_nothing():
    assert tasks.certificate_render_pdf.enqueue(987654).return_value == "missing"


def test_a_failed_render_is_recorded_and_retried(failing_render):
    failing_render["failures"] = 1
    certificate = CertificateFactory()

    tasks.certificate_render_pdf.enqueue(certificate.pk)

    certificate.refresh_from_db()
    # The immediate backend cannot wait, so the retry ran straight away and succeeded.
    assert failing_render["count"] == 2
    assert certificate.pdf_status == Certificate.PdfStatus.READY
    assert certificate.pdf_attempts == 2
    assert certificate.pdf_error == ""
    assert _actions(certificate) == [
        CertificateEvent.Action.ISSUED,
        CertificateEvent.Action.PDF_FAILED,
        CertificateEvent.Action.PDF_READY,
    ]
    failed = certificate.events.get(action=CertificateEvent.Action.PDF_FAILED)
    assert "Attempt 1 of 5 failed" in failed.detail
    assert "RuntimeError: pango exploded" in failed.detail


def test_render_gives_up_after_five_attempts_and_keeps_the_record(failing_render):
    failing_render["failures"] = 99
    certificate = CertificateFactory()

    result = tasks.certificate_render_pdf.enqueue(certificate.pk)

    certificate.refresh_from_db()
    assert result.status == "SUCCESSFUL"  # the failure is on the certificate, not the queue
    assert failing_render["count"] == tasks.MAX_ATTEMPTS == 5
    assert certificate.pdf_status == Certificate.PdfStatus.GAVE_UP
    assert certificate.pdf_attempts == 5
    assert certificate.pdf_error == "RuntimeError: pango exploded"
    assert not certificate.pdf
    assert certificate.status == Certificate.Status.VALID
    assert _actions(certificate).count(CertificateEvent.Action.PDF_FAILED) == 5
    last = certificate.events.filter(action=CertificateEvent.Action.PDF_FAILED).last()
    assert "no more attempts" in last.detail


@override_settings(TASKS=DUMMY_TASKS)
def test_with_a_deferring_backend_the_retry_waits_longer_each_time(failing_render):
    default_task_backend = import_module(TASKS_PACKAGE).default_task_backend

    failing_render["failures"] = 99
    certificate = CertificateFactory()
    before = timezone.now()

    for attempt in range(1, 6):
        default_task_backend.clear()
        outcome = tasks.certificate_pdf_render(certificate_id=certificate.pk)
        certificate.refresh_from_db()
        assert certificate.pdf_attempts == attempt
        if attempt < 5:
            assert outcome == "failed, retry queued"
            assert certificate.pdf_status == Certificate.PdfStatus.FAILED
            # Wagtail queues its own tasks (the reference index) on saves too.
            (queued,) = [
                result
                for result in default_task_backend.results
                if result.task.name == "certificate_render_pdf"
            ]
            assert queued.args == [certificate.pk]
            delay = datetime.timedelta(seconds=tasks.RETRY_DELAYS[attempt - 1])
            assert before + delay <= queued.task.run_after <= timezone.now() + delay
        else:
            assert outcome == "gave up"
            assert certificate.pdf_status == Certificate.PdfStatus.GAVE_UP
            assert not [
                result
                for result in default_task_backend.results
                if result.task.name == "certificate_render_pdf"
            ]
    assert tuple(sorted(tasks.RETRY_DELAYS)) == tasks.RETRY_DELAYS


def test_revoked_certificate_is_still_rendered():
    certificate = CertificateFactory(
        status=Certificate.Status.REVOKED, revoked_reason="Completed by someone else"
    )

    tasks.certificate_render_pdf.enqueue(certificate.pk)

    certificate.refresh_from_db()
    assert certificate.pdf_status == Certificate.PdfStatus.READY


def test_issuing_a_certificate_queues_its_render(django_capture_on_commit_callbacks):
    from imh_certificates.services import certificate_issue
    from tests.factories import UserFactory

    holder = UserFactory(first_name="Grace", last_name="Hopper")
    source = CertificateEvent.objects.create(
        certificate=CertificateFactory(), action=CertificateEvent.Action.ISSUED
    )  # any saved row stands in for a completion record

    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_issue(
            holder=holder,
            kind=Certificate.Kind.COURSE,
            source=source,
            title="Attachment in the first year",
            cpd_hours="2.0",
            completed_on=timezone.localdate(),
        )

    certificate.refresh_from_db()
    assert certificate.pdf_status == Certificate.PdfStatus.READY


def test_a_second_worker_finishing_later_keeps_the_first_pdf():
    certificate = CertificateFactory()
    pdf = b"%PDF-1.7 first"

    first = tasks._record_success(certificate_id=certificate.pk, pdf=pdf)
    second = tasks._record_success(certificate_id=certificate.pk, pdf=b"%PDF-1.7 second")

    certificate.refresh_from_db()
    assert (first, second) == ("ready", "already ready")
    with certificate.pdf.open("rb") as handle:
        assert handle.read() == pdf
    assert _actions(certificate).count(CertificateEvent.Action.PDF_READY) == 1
