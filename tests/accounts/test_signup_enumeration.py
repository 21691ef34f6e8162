"""Signing up with an address that already has an account looks and costs the same as a new one.

Otherwise the sign-up page tells anyone which email addresses have accounts: by what it says,
or by how long it takes (a new account hashes its password, which is slow on purpose).
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import get_hasher
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-new-passphrase-42"
EXISTING = "alex@example.org"


@pytest.fixture(autouse=True)
def _email_through_the_task_queue(settings):
    # As in production: every email is a task, so both paths do the same work to send one.
    settings.EMAIL_BACKEND = "imh_core.mail.TaskEmailBackend"


@pytest.fixture
def existing(db):
    return UserFactory(username="alex", email=EXISTING)


@pytest.fixture
def hashes(monkeypatch) -> list[str]:
    """Every password the configured hasher hashes."""
    hasher_class = type(get_hasher())
    encode = hasher_class.encode
    seen: list[str] = []

    def counting_encode(self, password, salt, *args, **kwargs):
        seen.append(password)
        return encode(self, password, salt, *args, **kwargs)

    monkeypatch.setattr(hasher_class, "encode", counting_encode)
    return seen


def _sign_up(email: str):
    """Sign up in a new browser; the response, its messages and the page it leads to."""
    client = Client()
    response = client.post(
        reverse("account_signup"),
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
    )
    shown = [(message.level, str(message)) for message in get_messages(response.wsgi_request)]
    page = client.get(response["Location"]) if response.status_code == 302 else None
    return response, shown, page


# The site's language switcher is a form, and its CSRF token is new in every response.
_CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _same_apart_from_the_address(new: str, old: str, *, new_email: str, old_email: str) -> None:
    def comparable(text: str, email: str) -> str:
        return _CSRF_TOKEN.sub("CSRF", text.replace(email, "EMAIL"))

    assert comparable(new, new_email) == comparable(old, old_email)


def test_an_existing_address_gets_the_same_response_as_a_new_one(existing):
    new, new_messages, new_page = _sign_up("someone-new@example.org")
    old, old_messages, old_page = _sign_up(EXISTING)

    assert old.status_code == new.status_code == 302
    assert old["Location"] == new["Location"] == reverse("account_email_verification_sent")
    assert [level for level, _ in old_messages] == [level for level, _ in new_messages]
    for (_, new_text), (_, old_text) in zip(new_messages, old_messages, strict=True):
        _same_apart_from_the_address(
            new_text, old_text, new_email="someone-new@example.org", old_email=EXISTING
        )
    assert old_page.status_code == new_page.status_code == 200
    _same_apart_from_the_address(
        new_page.content.decode(),
        old_page.content.decode(),
        new_email="someone-new@example.org",
        old_email=EXISTING,
    )
    assert [message.to for message in mail.outbox] == [["someone-new@example.org"], [EXISTING]]


def test_the_banner_names_the_address_on_both_paths(existing):
    _, new_messages, _ = _sign_up("someone-new@example.org")
    _, old_messages, _ = _sign_up(EXISTING)

    assert [text for _, text in new_messages] == [
        "Confirmation email sent to someone-new@example.org."
    ]
    assert [text for _, text in old_messages] == [f"Confirmation email sent to {EXISTING}."]


def test_signing_up_again_soon_after_looks_the_same_as_a_first_sign_up(db):
    # allauth sends one confirmation email per address every few minutes and silently skips
    # the rest; the page must not show which sign-ups were skipped.
    _sign_up("sam@example.org")
    again, again_messages, again_page = _sign_up("sam@example.org")
    first, first_messages, first_page = _sign_up("kim@example.org")

    assert again["Location"] == first["Location"]
    assert [text.replace("sam@", "X@") for _, text in again_messages] == [
        text.replace("kim@", "X@") for _, text in first_messages
    ]
    _same_apart_from_the_address(
        first_page.content.decode(),
        again_page.content.decode(),
        new_email="kim@example.org",
        old_email="sam@example.org",
    )


def test_both_paths_hash_the_password(existing, hashes, django_user_model):
    _sign_up("someone-new@example.org")
    assert hashes == [PASSWORD], "a new account hashes its password once"

    hashes.clear()
    _sign_up(EXISTING)

    assert hashes == [PASSWORD], "so does a sign-up that creates nothing"
    assert django_user_model.objects.filter(email__iexact=EXISTING).count() == 1
    existing.refresh_from_db()
    assert existing.check_password("correct-horse-battery-staple"), "the account is untouched"


def test_both_paths_send_one_email_through_the_task_queue(existing, monkeypatch):
    from imh_core import mail as task_mail

    queued: list[list[str]] = []
    real_task = task_mail.email_deliver

    class RecordingTask:
        @staticmethod
        def enqueue(payload):
            queued.append(payload["to"])
            return real_task.enqueue(payload)

    monkeypatch.setattr(task_mail, "email_deliver", RecordingTask)

    _sign_up("someone-new@example.org")
    _sign_up(EXISTING)

    assert queued == [["someone-new@example.org"], [EXISTING]]
    assert mail.outbox[1].subject == "You already have an account"
