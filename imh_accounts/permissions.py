"""Wagtail permission policy for learner records: staff may look, nobody edits in the admin."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from wagtail.permission_policies import ModelPermissionPolicy

READ_ACTIONS = frozenset({"view"})


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Only the "view" permission counts, even for superusers.

    Profiles change only through the services (which keep the registration rules and the
    pseudonymisation of deleted accounts); the admin is for looking things up.
    """

    def user_has_permission(self, user, action: str) -> bool:
        return action in READ_ACTIONS and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions: Iterable[str]) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions: Iterable[str]):
        actions = [action for action in actions if action in READ_ACTIONS]
        if not actions:
            return get_user_model()._default_manager.none()
        return super().users_with_any_permission(actions)
