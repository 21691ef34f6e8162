"""Expiry reminders: thresholds, catch-up, exactly once, who is skipped, who is emailed."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from imh_certificates.models import Certificate, CertificateEvent, ExpiryReminder
from imh_certificates.reminders import reminders_send, threshold_due
from imh_certificates.tasks_reminders import certificate_reminders_send
from tests.certificates.factories import CertificateFactory
from tests.factories import UserFactory
from tests.organisations.factories import (
    ManagerMembershipFactory,
    MembershipFactory,
    OrganisationFactory,
)

TODAY = datetime.date(2027, 3, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


def _certificate(days_left: int, **kwargs) -> Certificate:
    kwargs.setdefault("issued_at", timezone.now() - datetime.timedelta(days=300))
    return CertificateFactory(expires_on=TODAY + datetime.timedelta(days=days_left), **kwargs)


def _sent() -> set[tuple[int, int]]:
    return set(ExpiryReminder.objects.values_list("certificate_id", "days_before"))


@pytest.mark.parametrize(
    ("days_left", "expected"), [(61, None), (60, 60), (59, 60), (15, 60), (14, 14), (0, 14)]
)
def test_threshold_due(days_left, expected):
    certificate = _certificate(days_left)
    assert threshold_due(certificate=certificate, today=TODAY) == expected


def test_60_days_before_the_holder_is_emailed_once():
    holder = UserFactory(first_name="Priya", last_name="Patel", email="priya@example.org")
    not_yet = _certificate(61)
    due = _certificate(60, holder=holder, title="Perinatal mental health")
    late = _certificate(59)

    run = reminders_send()

    assert run.reminders == 2
    assert _sent() == {(due.pk, 60), (late.pk, 60)}
    assert not ExpiryReminder.objects.filter(certificate=not_yet).exists()
    message = next(m for m in mail.outbox if m.to == ["priya@example.org"])
    assert "Perinatal mental health" in message.subject
    assert (TODAY + datetime.timedelta(days=60)).strftime("%-d %B %Y") in message.body
    assert "in 60 days" in message.body
    assert "complete the course again" in message.body
    assert "http://testserver/certificates/" in message.body
    assert due.code in message.body
    html = message.alternatives[0][0]
    assert "Perinatal mental health" in html
    assert CertificateEvent.objects.filter(
        certificate=due, action=CertificateEvent.Action.REMINDER_SENT
    ).exists()

    # A second run the same day sends nothing more; the next day only the one now due.
    outbox = len(mail.outbox)
    assert reminders_send().reminders == 0
    assert len(mail.outbox) == outbox
    assert reminders_send(today=TODAY + datetime.timedelta(days=1)).reminders == 1
    assert _sent() == {(due.pk, 60), (late.pk, 60), (not_yet.pk, 60)}


def test_14_days_after_the_60_day_reminder():
    certificate = _certificate(60)
    reminders_send()
    with time_machine.travel(datetime.datetime(2027, 4, 16, 9, 0, tzinfo=datetime.UTC)):
        # 46 days later: 14 days left.
        assert reminders_send().reminders == 1
        assert reminders_send().reminders == 0
    assert _sent() == {(certificate.pk, 60), (certificate.pk, 14)}


def test_catch_up_sends_the_missed_14_day_reminder_once():
    certificate = _certificate(10)
    ExpiryReminder.objects.create(certificate=certificate, days_before=60)
    assert reminders_send().reminders == 1
    assert reminders_send().reminders == 0
    assert _sent() == {(certificate.pk, 60), (certificate.pk, 14)}
    assert "in 10 days" in mail.outbox[-1].body


def test_catch_up_with_no_reminder_yet_sends_only_the_nearest():
    certificate = _certificate(10)
    assert reminders_send().reminders == 1
    assert _sent() == {(certificate.pk, 14)}
    # The 60-day reminder is never sent late once the 14-day one has gone.
    assert reminders_send().reminders == 0
    assert _sent() == {(certificate.pk, 14)}


def test_a_certificate_issued_inside_a_window_skips_that_threshold():
    certificate = _certificate(30, issued_at=timezone.now())
    assert reminders_send().reminders == 0
    assert reminders_send(today=TODAY + datetime.timedelta(days=16)).reminders == 1
    assert _sent() == {(certificate.pk, 14)}


def test_revoked_superseded_expired_and_undated_certificates_are_skipped():
    revoked = _certificate(14, status=Certificate.Status.REVOKED, revoked_reason="Issued in error.")
    successor = _certificate(400)
    superseded = _certificate(14, status=Certificate.Status.SUPERSEDED, superseded_by=successor)
    expired = _certificate(-1)
    undated = CertificateFactory(expires_on=None)
    assert reminders_send().reminders == 0
    assert not ExpiryReminder.objects.filter(
        certificate__in=[revoked, superseded, expired, undated]
    ).exists()
    assert mail.outbox == []


def test_renewed_certificates_are_not_reminded_about():
    holder = UserFactory()
    old = _certificate(14, holder=holder, title="Safeguarding babies")
    _certificate(365 + 14, holder=holder, title="Safeguarding babies", issued_at=timezone.now())
    other_title = _certificate(14, holder=holder, title="Attachment basics")
    someone_else = _certificate(14, title="Safeguarding babies")
    reminders_send()
    assert _sent() == {(other_title.pk, 14), (someone_else.pk, 14)}
    assert not ExpiryReminder.objects.filter(certificate=old).exists()


def test_a_renewal_that_is_revoked_does_not_stop_the_reminder():
    holder = UserFactory()
    old = _certificate(14, holder=holder, title="Safeguarding babies")
    _certificate(
        400,
        holder=holder,
        title="Safeguarding babies",
        issued_at=timezone.now(),
        status=Certificate.Status.REVOKED,
        revoked_reason="Issued in error.",
    )
    reminders_send()
    assert _sent() == {(old.pk, 14)}


def test_managers_are_emailed_naming_the_staff_member():
    organisation = OrganisationFactory()
    holder = UserFactory(first_name="Sam", last_name="Staff", email="sam@example.org")
    manager = UserFactory(first_name="Mo", last_name="Manager", email="mo@example.org")
    former = UserFactory(email="former@example.org")
    MembershipFactory(organisation=organisation, user=holder)
    ManagerMembershipFactory(organisation=organisation, user=manager)
    ManagerMembershipFactory(organisation=organisation, user=former, status="left")
    certificate = _certificate(
        14, holder=holder, holder_name="Sam Staff", title="Infant feeding and attachment"
    )

    run = reminders_send()

    assert run.reminders == 1
    assert run.emails == 2
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["mo@example.org", "sam@example.org"]
    to_manager = next(m for m in mail.outbox if m.to == ["mo@example.org"])
    assert "Sam Staff" in to_manager.subject
    assert "Sam Staff, a member of staff you manage" in to_manager.body
    assert "Dear Mo Manager" in to_manager.body
    assert certificate.code in to_manager.body


def test_command_prints_how_many_were_sent():
    _certificate(60)
    _certificate(14)
    out = StringIO()
    call_command("certificates_send_reminders", stdout=out)
    assert out.getvalue().strip() == "Sent 2 expiry reminders (2 emails)."
    out = StringIO()
    call_command("certificates_send_reminders", stdout=out)
    assert out.getvalue().strip() == "Sent 0 expiry reminders (0 emails)."


def test_command_date_option():
    _certificate(70)
    out = StringIO()
    call_command("certificates_send_reminders", "--date", "2027-03-11", stdout=out)
    assert "Sent 1 expiry reminder (1 email)." in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("certificates_send_reminders", "--date", "next week")


def test_task_does_the_same():
    _certificate(14)
    result = certificate_reminders_send.enqueue()
    assert result.return_value == {"reminders": 1, "emails": 1}
    assert ExpiryReminder.objects.count() == 1


def test_a_failing_send_records_nothing_and_is_retried(monkeypatch):
    certificate = _certificate(14)

    def broken(self, *args, **kwargs):
        raise ConnectionError("mail queue down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    assert reminders_send().reminders == 0
    assert not ExpiryReminder.objects.exists()
    assert not CertificateEvent.objects.filter(
        action=CertificateEvent.Action.REMINDER_SENT
    ).exists()
    monkeypatch.undo()
    assert reminders_send().reminders == 1
    assert _sent() == {(certificate.pk, 14)}


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once():
    """Two cron runs (or a cron run and the task) racing: the database lets one win."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL for real concurrency (DATABASE_URL=postgres://...).")
    certificates = [_certificate(14) for _ in range(10)]
    barrier = threading.Barrier(2)
    runs = []

    def run():
        try:
            barrier.wait()
            runs.append(reminders_send(today=TODAY))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(run.reminders for run in runs) == 10
    assert ExpiryReminder.objects.count() == 10
    assert len(mail.outbox) == 10
    assert {m.to[0] for m in mail.outbox} == {c.holder.email for c in certificates}
