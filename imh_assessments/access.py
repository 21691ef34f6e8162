"""Who may attempt an activity placed on a page: the host app answers.

Assessments sits below courses, so it cannot ask about enrolment itself. The app that owns
the pages registers one policy at start-up (courses does, in its ``AppConfig.ready``):
``policy(user, page_ids) -> set of the page ids whose activities the user may attempt``.
Without a policy nobody may attempt anything (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

Policy = Callable[[object, Iterable[int]], set[int]]

_policy: Policy | None = None


def register_attempt_policy(policy: Policy) -> None:
    global _policy
    _policy = policy


def pages_user_may_attempt(*, user, page_ids: Iterable[int]) -> set[int]:
    page_ids = list(page_ids)
    if _policy is None or not page_ids or not getattr(user, "is_authenticated", False):
        return set()
    return set(_policy(user, page_ids))
