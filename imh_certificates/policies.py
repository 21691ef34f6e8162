"""Who manages a certificate holder: the host app answers.

Certificates sits below organisations, so it cannot ask about employers itself. Higher apps
register ``policy(user, holder) -> bool`` at start-up (organisations does, in its
``AppConfig.ready``). Managers may download their staff's certificates. Without a policy
nobody manages anybody (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ManagerPolicy = Callable[[Any, Any], bool]

_policies: dict[str, ManagerPolicy] = {}


def register_manager_policy(policy: ManagerPolicy, *, name: str | None = None) -> None:
    """Let ``policy(user, holder)`` say that ``user`` manages ``holder``.

    Registering again under the same name replaces the earlier policy.
    """
    _policies[name or f"{policy.__module__}.{policy.__qualname__}"] = policy


def user_manages_holder(*, user: Any, holder: Any) -> bool:
    """Whether any registered policy says ``user`` manages ``holder``."""
    if holder is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return any(policy(user, holder) for policy in list(_policies.values()))


# Who manages a holder, for emails such as expiry reminders.

ManagersLookup = Callable[[Any], list[Any]]

_managers_lookups: dict[str, ManagersLookup] = {}


def register_managers_lookup(lookup: ManagersLookup, *, name: str | None = None) -> None:
    """Let ``lookup(holder)`` list the users who manage ``holder``.

    Registering again under the same name replaces the earlier lookup.
    """
    _managers_lookups[name or f"{lookup.__module__}.{lookup.__qualname__}"] = lookup


def managers_of(holder: Any) -> list[Any]:
    """Everyone any registered lookup names as a manager of ``holder``, once each."""
    found: dict[Any, Any] = {}
    for lookup in list(_managers_lookups.values()):
        for user in lookup(holder):
            found.setdefault(user.pk, user)
    return list(found.values())


# Who is a manager at all (of any organisation), for checking many codes at once.

IsManagerPolicy = Callable[[Any], bool]

_is_manager_policies: dict[str, IsManagerPolicy] = {}


def register_is_manager_policy(policy: IsManagerPolicy, *, name: str | None = None) -> None:
    """Let ``policy(user)`` say that ``user`` manages at least one organisation.

    Registering again under the same name replaces the earlier policy.
    """
    _is_manager_policies[name or f"{policy.__module__}.{policy.__qualname__}"] = policy


def user_is_manager(*, user: Any) -> bool:
    """Whether ``user`` manages anyone: a registered policy says so, or they are a superuser."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(policy(user) for policy in list(_is_manager_policies.values()))


# Who issues certificates when no certificate template says so: the host site's identity.

IssuerDefault = Callable[[], dict[str, Any]]

_issuer_default: IssuerDefault | None = None


def register_issuer_default(lookup: IssuerDefault) -> None:
    """Let ``lookup()`` give ``{"name": str, "logo": image or None}`` for certificates issued
    without a default template (the reference site registers its site settings)."""
    global _issuer_default
    _issuer_default = lookup


def issuer_default() -> dict[str, Any]:
    from django.conf import settings

    fallback = {
        "name": getattr(settings, "IMH_CERTIFICATE_ISSUER_DEFAULT", "IMH Learning"),
        "logo": None,
    }
    if _issuer_default is None:
        return fallback
    found = _issuer_default() or {}
    return {"name": found.get("name") or fallback["name"], "logo": found.get("logo")}
