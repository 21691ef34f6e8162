"""Email: sent once the transaction commits, and delivered by the task worker with retries.

Apps send through ``email_send`` (or Django's mail API); which backend delivers is the host's
choice. With ``EMAIL_BACKEND = "imh_core.mail.TaskEmailBackend"`` every message (allauth's
confirmations and resets, invitations, reminders) is serialised onto the task queue, so a
request never waits on SMTP, and a worker delivers it with ``IMH_EMAIL_DELIVERY_BACKEND``
(Django's SMTP backend unless set). A delivery that fails for a reason that may pass (the
mail server is down or says "try later") is queued again, a few times, with growing delays.
"""

from __future__ import annotations

import base64
import datetime
import logging
import re
import smtplib
from collections.abc import Iterable, Sequence
from email.mime.base import MIMEBase
from typing import Any

from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.template.loader import render_to_string

from imh_core.conf import imh_setting
from imh_core.site import site_name
from imh_core.tasks import enqueue_later, task

logger = logging.getLogger(__name__)

# Seconds to wait before the second, third and fourth attempts; then the message is failed.
RETRY_DELAYS = (60, 10 * 60, 60 * 60)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# Control characters and Unicode's line and paragraph separators: none may be in a header.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


# Sending from the apps.


def subject_line(subject: object) -> str:
    """``subject`` on one line: a header cannot hold a line break or control character."""
    return " ".join(_CONTROL.sub(" ", str(subject)).split())


def email_message(
    *,
    to: str,
    subject: str,
    template: str,
    context: dict[str, Any] | None = None,
    html_template: str | None = None,
) -> EmailMultiAlternatives:
    """One message to ``to``: ``template`` rendered as the plain-text body (and
    ``html_template``, if given, as its HTML alternative), with ``site_name`` in the context.

    The subject is put on one line: a title saved with a line break must not make every
    email that names it fail.
    """
    context = {"site_name": site_name(), **(context or {})}
    message = EmailMultiAlternatives(
        subject_line(subject), render_to_string(template, context), None, [to]
    )
    if html_template:
        message.attach_alternative(render_to_string(html_template, context), "text/html")
    return message


def email_send(
    *,
    to: str | Iterable[str],
    subject: str,
    template: str,
    context: dict[str, Any] | None = None,
    html_template: str | None = None,
    on_commit: bool = True,
) -> int:
    """Email each address separately, once the transaction commits; how many messages.

    One message per recipient, so nobody sees another's address. The message is made now
    (in the caller's language) and sent after the commit, so nobody hears of a change that
    was rolled back, and ``robust``: a mail problem never undoes the change.

    ``on_commit=False`` sends inside the caller's transaction instead: with the task email
    backend and the database task backend, the queued delivery then commits or rolls back
    with the caller's own rows (a reminder is never recorded without its email).
    """
    addresses = [to] if isinstance(to, str) else list(to)
    messages = [
        email_message(
            to=address,
            subject=subject,
            template=template,
            context=context,
            html_template=html_template,
        )
        for address in dict.fromkeys(addresses)
        if address
    ]
    if not messages:
        return 0
    if not on_commit:
        for message in messages:
            message.send()
        return len(messages)

    def email_send_after_commit() -> None:
        # A named function: Django logs a robust callback's failure by its __qualname__.
        for message in messages:
            message.send()

    transaction.on_commit(email_send_after_commit, robust=True)
    return len(messages)


# The queue.


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


def payload_to_message(payload: dict, connection: Any = None) -> EmailMultiAlternatives:
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


def may_pass(error: Exception) -> bool:
    """Whether a failed delivery is worth trying again later.

    A refused recipient or a permanent (5xx) answer will be refused again; a server that is
    down, unreachable or answers "try later" (4xx) may take the message next time.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return False
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, OSError)  # includes the other SMTP errors and timeouts


def retry_delay(attempt: int) -> datetime.timedelta:
    """How long to wait after failed attempt number ``attempt`` (1 for the first)."""
    return datetime.timedelta(seconds=RETRY_DELAYS[min(max(attempt, 1), len(RETRY_DELAYS)) - 1])


@task()
def email_deliver(payload: dict, attempt: int = 1) -> int:
    """Deliver one queued message with the real backend.

    A failure that may pass queues the message again (``attempt`` counts the tries) and
    then raises, so this try shows as failed in the task results; the last try, or a
    failure that will not pass, only raises.
    """
    connection = get_connection(imh_setting("IMH_EMAIL_DELIVERY_BACKEND"), fail_silently=False)
    try:
        return connection.send_messages([payload_to_message(payload, connection=connection)])
    except Exception as error:
        if attempt >= MAX_ATTEMPTS or not may_pass(error):
            raise
        delay = retry_delay(attempt)
        logger.warning(
            "Email delivery attempt %s of %s failed (%s); trying again in %s.",
            attempt,
            MAX_ATTEMPTS,
            type(error).__name__,
            delay,
        )
        enqueue_later(email_deliver, payload, attempt=attempt + 1, delay=delay)
        raise


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
