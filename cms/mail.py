"""An email backend that hands each message to the task queue, so requests never wait on SMTP.

Every email the platform sends (allauth's confirmations and resets, invitations, reminders)
goes through Django's mail API; this backend serialises the message and a worker delivers it
with ``EMAIL_DELIVERY_BACKEND``.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from email.mime.base import MIMEBase

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from cms.tasks_compat import task


def message_to_payload(message: EmailMessage) -> dict:
    """A JSON-safe description of an email, enough to rebuild it in the worker."""
    attachments = []
    for attachment in message.attachments:
        if isinstance(attachment, MIMEBase):
            raise ValueError("MIME attachments cannot be queued; attach (name, content, type).")
        filename, content, mimetype = attachment
        if isinstance(content, str):
            content = content.encode()
        attachments.append([filename, base64.b64encode(content).decode("ascii"), mimetype])
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [
            [str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
        "attachments": attachments,
    }


def payload_to_message(payload: dict, connection=None) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        cc=payload["cc"],
        bcc=payload["bcc"],
        reply_to=payload["reply_to"],
        headers=payload["headers"],
        connection=connection,
    )
    for content, mimetype in payload["alternatives"]:
        message.attach_alternative(content, mimetype)
    for filename, content, mimetype in payload["attachments"]:
        message.attach(filename, base64.b64decode(content), mimetype)
    return message


@task()
def email_deliver(payload: dict) -> int:
    """Deliver one queued message with the real backend; a failure raises so it shows as failed."""
    connection = get_connection(settings.EMAIL_DELIVERY_BACKEND, fail_silently=False)
    return connection.send_messages([payload_to_message(payload, connection=connection)])


class TaskEmailBackend(BaseEmailBackend):
    """Queue messages for delivery by the task worker."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        queued = 0
        for message in email_messages:
            if not message.recipients():
                continue
            try:
                email_deliver.enqueue(message_to_payload(message))
            except Exception:
                if not self.fail_silently:
                    raise
                continue
            queued += 1
        return queued
