"""Who manages a certificate holder, and who issues certificates: higher apps answer.

Certificates sits below organisations and the host site, so it cannot ask about employers
or the site's identity itself. It asks hooks (see ``imh_core.hooks``) that organisations and
the reference site answer from their ``wagtail_hooks.py``. Managers may download their
staff's certificates and hear when they are about to expire. Without an answer nobody
manages anybody (fail closed).
"""

from __future__ import annotations

from typing import Any

from imh_core.conf import imh_setting
from imh_core.hooks import (
    IMH_CERTIFICATE_IS_MANAGER_POLICIES,
    IMH_CERTIFICATE_ISSUER,
    IMH_CERTIFICATE_MANAGER_POLICIES,
    IMH_CERTIFICATE_MANAGERS,
    hook_functions,
    hook_results,
)


def user_manages_holder(*, user: Any, holder: Any) -> bool:
    """Whether any answer to the manager-policies hook says ``user`` manages ``holder``."""
    if holder is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return any(policy(user, holder) for policy in hook_functions(IMH_CERTIFICATE_MANAGER_POLICIES))


def managers_of(holder: Any) -> list[Any]:
    """Everyone any answer to ``IMH_CERTIFICATE_MANAGERS`` names for ``holder``, once each."""
    found: dict[Any, Any] = {}
    for users in hook_results(IMH_CERTIFICATE_MANAGERS, holder):
        for user in users:
            found.setdefault(user.pk, user)
    return list(found.values())


def user_is_manager(*, user: Any) -> bool:
    """Whether ``user`` manages anyone: a hook answer says so, or they are a superuser."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(policy(user) for policy in hook_functions(IMH_CERTIFICATE_IS_MANAGER_POLICIES))


def issuer_default() -> dict[str, Any]:
    """The issuer of certificates no template names: the first answer to the hook, or settings."""
    name = imh_setting("IMH_CERTIFICATE_ISSUER_DEFAULT")
    for found in hook_results(IMH_CERTIFICATE_ISSUER):
        if found:
            return {"name": found.get("name") or name, "logo": found.get("logo")}
    return {"name": name, "logo": None}
