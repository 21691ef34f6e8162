"""Email is queued as a task and delivered by the worker with the real backend."""

from __future__ import annotations

from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.test import override_settings

from cms.mail import message_to_payload, payload_to_message

QUEUED = override_settings(
    EMAIL_BACKEND="cms.mail.TaskEmailBackend",
    EMAIL_DELIVERY_BACKEND="django.core.mail.backends.locmem.EmailBackend",
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
    EMAIL_BACKEND="cms.mail.TaskEmailBackend",
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
