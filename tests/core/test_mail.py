"""Email: made by the apps, sent after the commit, queued and delivered by the worker."""

from __future__ import annotations

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from imh_core.mail import (
    MAX_ATTEMPTS,
    email_deliver,
    email_message,
    email_send,
    may_pass,
    message_to_payload,
    payload_to_message,
    subject_line,
)
from tests.core.queue import database_queue, run_queue

QUEUED = override_settings(
    EMAIL_BACKEND="imh_core.mail.TaskEmailBackend",
    IMH_EMAIL_DELIVERY_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
)


@QUEUED
def test_send_mail_goes_through_the_task_and_arrives():
    sent = send_mail("Your invitation", "Hello", "from@example.org", ["to@example.org"])
    assert sent == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Your invitation"
    assert mail.outbox[0].to == ["to@example.org"]


@QUEUED
def test_message_without_recipients_is_not_queued():
    assert send_mail("Nobody", "Hello", "from@example.org", []) == 0
    assert mail.outbox == []


@override_settings(
    EMAIL_BACKEND="imh_core.mail.TaskEmailBackend",
    TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}},
)
def test_sending_returns_before_delivery():
    """With a real queue the request only enqueues: nothing is delivered inline."""
    send_mail("Later", "Hello", "from@example.org", ["to@example.org"])
    assert mail.outbox == []


def test_payload_round_trip_keeps_everything():
    message = EmailMultiAlternatives(
        "Subject",
        "Body",
        "from@example.org",
        ["to@example.org"],
        cc=["cc@example.org"],
        bcc=["bcc@example.org"],
        reply_to=["reply@example.org"],
        headers={"X-Tag": "imh"},
    )
    message.attach_alternative("<p>Body</p>", "text/html")
    message.attach("notes.txt", b"some notes", "text/plain")
    rebuilt = payload_to_message(message_to_payload(message))
    assert rebuilt.subject == "Subject"
    assert rebuilt.to == ["to@example.org"]
    assert rebuilt.cc == ["cc@example.org"]
    assert rebuilt.bcc == ["bcc@example.org"]
    assert rebuilt.reply_to == ["reply@example.org"]
    assert rebuilt.extra_headers == {"X-Tag": "imh"}
    assert rebuilt.alternatives[0][0] == "<p>Body</p>"
    assert rebuilt.attachments[0][:2] == ("notes.txt", "some notes")


# Sending from the apps: made now, sent after the commit, one message per address.

TEMPLATES = override_settings(
    TEMPLATES=[
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {
                            "test/note.txt": "Hello from {{ site_name }}, {{ name }}.",
                            "test/note.html": "<p>Hello, {{ name }}.</p>",
                        },
                    )
                ]
            },
        }
    ],
    WAGTAIL_SITE_NAME="Northshire learning",
)


@pytest.mark.django_db
@TEMPLATES
def test_email_send_waits_for_the_commit_then_sends_one_message_per_address(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        made = email_send(
            to=["ann@example.org", "", "bob@example.org", "ann@example.org"],
            subject="A note",
            template="test/note.txt",
            context={"name": "Ann"},
        )
        assert mail.outbox == []  # nothing goes before the commit
    assert made == 2
    assert [message.to for message in mail.outbox] == [["ann@example.org"], ["bob@example.org"]]
    assert mail.outbox[0].body == "Hello from Northshire learning, Ann."


@pytest.mark.django_db
@TEMPLATES
def test_email_send_after_a_rollback_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email_send(to="ann@example.org", subject="A note", template="test/note.txt")
    # A rolled-back transaction never runs its on-commit callbacks.
    assert len(callbacks) == 1
    assert mail.outbox == []


@TEMPLATES
def test_email_send_inside_the_transaction_when_asked():
    assert (
        email_send(to="ann@example.org", subject="Now", template="test/note.txt", on_commit=False)
        == 1
    )
    assert len(mail.outbox) == 1


@pytest.mark.django_db
@TEMPLATES
def test_email_send_to_nobody_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert email_send(to=["", ""], subject="A note", template="test/note.txt") == 0
    assert callbacks == []


@TEMPLATES
def test_email_message_has_the_html_alternative_and_a_one_line_subject():
    message = email_message(
        to="ann@example.org",
        subject="Changed:\nServe and return",
        template="test/note.txt",
        html_template="test/note.html",
        context={"name": "Ann"},
    )
    assert message.subject == "Changed: Serve and return"
    assert message.alternatives[0][0] == "<p>Hello, Ann.</p>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cancelled: Serve and\r\nreturn", "Cancelled: Serve and return"),
        ("a\u2028b\x85c\x00d", "a b c d"),
        ("Plain title", "Plain title"),
    ],
)
def test_subject_line(text, expected):
    assert subject_line(text) == expected


# Delivery by the worker, again later when the failure may pass.


class FlakyBackend(BaseEmailBackend):
    """Fails with ``FlakyBackend.errors`` in turn, then delivers to the test outbox."""

    errors: list[Exception] = []
    calls = 0

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).errors:
            raise type(self).errors.pop(0)
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def flaky():
    FlakyBackend.errors, FlakyBackend.calls = [], 0
    with override_settings(
        EMAIL_BACKEND="imh_core.mail.TaskEmailBackend",
        IMH_EMAIL_DELIVERY_BACKEND="tests.core.test_mail.FlakyBackend",
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    ):
        yield FlakyBackend


def test_a_delivery_that_fails_for_a_passing_reason_is_tried_again(flaky):
    flaky.errors = [smtplib.SMTPServerDisconnected("gone"), ConnectionRefusedError("down")]
    send_mail("Your invitation", "Hello", "from@example.org", ["to@example.org"])
    assert flaky.calls == 3
    assert [message.subject for message in mail.outbox] == ["Your invitation"]


def test_a_refused_recipient_is_not_tried_again(flaky):
    flaky.errors = [smtplib.SMTPRecipientsRefused({"to@example.org": (550, b"No such user")})]
    send_mail("Your invitation", "Hello", "from@example.org", ["to@example.org"])
    assert flaky.calls == 1
    assert mail.outbox == []


def test_delivery_gives_up_after_the_last_attempt(flaky):
    flaky.errors = [ConnectionRefusedError("down")] * 10
    send_mail("Your invitation", "Hello", "from@example.org", ["to@example.org"])
    assert flaky.calls == MAX_ATTEMPTS
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("error", "passes"),
    [
        (smtplib.SMTPResponseException(421, b"Try again later"), True),
        (smtplib.SMTPResponseException(554, b"Rejected"), False),
        (smtplib.SMTPSenderRefused(451, b"Busy", "from@example.org"), True),
        (TimeoutError("slow"), True),
        (ValueError("not a mail problem"), False),
    ],
)
def test_which_failures_may_pass(error, passes):
    assert may_pass(error) is passes


@pytest.mark.django_db
@database_queue
@override_settings(
    IMH_EMAIL_DELIVERY_BACKEND="tests.core.test_mail.FlakyBackend",
)
def test_a_retry_waits_before_it_runs():
    FlakyBackend.errors, FlakyBackend.calls = [ConnectionRefusedError("down")], 0
    payload = message_to_payload(EmailMultiAlternatives("Later", "Hello", None, ["to@x.org"]))
    first = email_deliver.enqueue(payload)

    run_queue()

    retry = DBTaskResult.objects.exclude(pk=first.id).get()
    assert retry.args_kwargs["kwargs"] == {"attempt": 2}
    assert retry.run_after >= timezone.now() + datetime.timedelta(seconds=50)
    assert DBTaskResult.objects.get(pk=first.id).status == TaskResultStatus.FAILED
    assert mail.outbox == []
