"""allauth with this site's settings: verified sign-up, no account enumeration, rate limits."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from imh_accounts.models import Profile
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-new-passphrase-42"


def _link(message, path_prefix: str) -> str:
    match = re.search(rf"https?://[^/\s]+({re.escape(path_prefix)}\S+)", message.body)
    assert match, message.body
    return match.group(1)


def _sign_up(client, email: str, password: str = NEW_PASSWORD):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": password, "password2": password},
    )


def _log_in(client, email: str, password: str):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def _is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_sign_up_confirm_then_log_in(client, django_user_model):
    response = _sign_up(client, "sam@example.org")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = django_user_model.objects.get(email="sam@example.org")
    assert Profile.objects.filter(user=user).exists(), "sign-up creates the profile"
    assert not _is_logged_in(client)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam@example.org"]
    assert mail.outbox[0].subject == "Confirm your email address"

    confirm_url = _link(mail.outbox[0], "/accounts/confirm-email/")
    page = client.get(confirm_url)
    assert page.status_code == 200
    assert b"Confirm your email address" in page.content
    response = client.post(confirm_url)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    response = _log_in(client, "sam@example.org", NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("imh_accounts:dashboard")
    assert _is_logged_in(client)


def test_an_unconfirmed_account_cannot_log_in(client):
    _sign_up(client, "sam@example.org")

    response = _log_in(client, "sam@example.org", NEW_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not _is_logged_in(client)


def test_logging_in_unconfirmed_sends_a_new_link(client):
    user = UserFactory(verified=False)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)

    response = _log_in(client, user.email, DEFAULT_PASSWORD)

    assert response["Location"] == reverse("account_email_verification_sent")
    assert not _is_logged_in(client)
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_signing_up_with_an_existing_email_looks_the_same_and_tells_the_owner(
    client, user, django_user_model
):
    new_response = _sign_up(client, "someone-new@example.org")
    mail.outbox.clear()

    response = _sign_up(client, "alex@example.org")

    assert response.status_code == new_response.status_code == 302
    assert response["Location"] == new_response["Location"]
    page = client.get(response["Location"])
    assert b"Check your email" in page.content
    assert django_user_model.objects.filter(email__iexact="alex@example.org").count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alex@example.org"]
    assert mail.outbox[0].subject == "You already have an account"
    assert "/accounts/password/reset/" in mail.outbox[0].body


def test_password_reset_for_an_unknown_email_looks_the_same(client, user):
    known = client.post(reverse("account_reset_password"), {"email": "alex@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("account_reset_password_done")
    assert [m.to for m in mail.outbox] == [["alex@example.org"], ["nobody@example.org"]]
    assert mail.outbox[0].subject == "Reset your password"
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert "/accounts/password/reset/key/" not in mail.outbox[1].body


def test_password_reset_from_the_emailed_link(client, user):
    client.post(reverse("account_reset_password"), {"email": "alex@example.org"})
    key_url = _link(mail.outbox[0], "/accounts/password/reset/key/")

    response = client.get(key_url)
    assert response.status_code == 302  # allauth moves the key out of the URL
    form_url = response["Location"]
    page = client.get(form_url)
    assert b"Create a new password" in page.content

    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response["Location"] == reverse("account_reset_password_from_key_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_login_errors_do_not_say_whether_the_account_exists(client, user):
    wrong_password = _log_in(client, "alex@example.org", "wrong-password-1")
    no_account = _log_in(client, "nobody@example.org", "wrong-password-1")

    assert wrong_password.status_code == no_account.status_code == 200
    assert list(wrong_password.context["form"].errors.values()) == list(
        no_account.context["form"].errors.values()
    )
    assert b"The email address or password is not correct" in wrong_password.content


def test_repeated_failed_logins_are_rate_limited(client, user):
    for _ in range(5):
        response = _log_in(client, "alex@example.org", "wrong-password-1")
        assert b"too many attempts" not in response.content

    response = _log_in(client, "alex@example.org", DEFAULT_PASSWORD)

    assert response.status_code == 200
    assert b"There have been too many attempts to log in" in response.content
    assert not _is_logged_in(client)


def test_successful_login_is_not_rate_limited_by_other_accounts_failures(client, user):
    other = UserFactory()
    for _ in range(5):
        _log_in(client, other.email, "wrong-password-1")
    response = _log_in(client, "alex@example.org", DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert _is_logged_in(client)


def test_logout_asks_then_logs_out_on_post(client, user):
    client.force_login(user)
    page = client.get(reverse("account_logout"))
    assert page.status_code == 200
    assert _is_logged_in(client)
    client.post(reverse("account_logout"))
    assert not _is_logged_in(client)
