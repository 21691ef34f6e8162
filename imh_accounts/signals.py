"""Signal receivers: each one line into a service, connected in ``AccountsConfig.ready()``."""

from __future__ import annotations

from typing import Any

from imh_accounts import services


def profile_create_on_signup(sender: Any, user: Any, **kwargs: Any) -> None:
    """allauth's ``user_signed_up``: every new account starts with an (empty) profile."""
    services.profile_get_or_create(user=user)
