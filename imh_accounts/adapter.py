"""allauth adapter: plain-English error messages and the platform's name in emails."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.utils.translation import gettext_lazy as _

from imh_core.site import site_name


class AccountAdapter(DefaultAccountAdapter):
    # Login errors stay generic (they never say whether the email address has an account);
    # only the wording changes, to the NHS.UK content style.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": _("The email address or password is not correct"),
        "incorrect_password": _("The password is not correct"),
        "too_many_login_attempts": _(
            "There have been too many attempts to log in. Wait a few minutes and try again"
        ),
        "rate_limited": _("You have tried this too many times. Wait a few minutes and try again"),
        "enter_current_password": _("Enter your current password"),
        "invalid_password_reset": _("The password reset link is not valid"),
    }

    def render_mail(self, template_prefix: str, email: str, context: dict[str, Any], **kwargs):
        context = {"platform_name": site_name(), **context}
        return super().render_mail(template_prefix, email, context, **kwargs)
