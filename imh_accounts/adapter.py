"""allauth adapter: plain-English error messages and the platform's name in emails."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    # Login errors stay generic (they never say whether the email address has an account);
    # only the wording changes, to the NHS.UK content style.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": "The email address or password is not correct",
        "incorrect_password": "The password is not correct",
        "too_many_login_attempts": (
            "There have been too many attempts to log in. Wait a few minutes and try again"
        ),
        "rate_limited": "You have tried this too many times. Wait a few minutes and try again",
        "enter_current_password": "Enter your current password",
        "invalid_password_reset": "The password reset link is not valid",
    }

    def render_mail(self, template_prefix: str, email: str, context: dict[str, Any], **kwargs):
        context = {"platform_name": getattr(settings, "WAGTAIL_SITE_NAME", ""), **context}
        return super().render_mail(template_prefix, email, context, **kwargs)
