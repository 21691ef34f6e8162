"""Who may attempt an activity placed on a page: the app that owns the pages answers.

Assessments sits below courses, so it cannot ask about enrolment itself. It asks the
``IMH_ATTEMPT_POLICIES`` hook (see ``imh_core.hooks``); courses answers from its
``wagtail_hooks.py`` for enrolled trainees. Without an answer nobody may attempt anything
(fail closed).
"""

from __future__ import annotations

from collections.abc import Iterable

from imh_core.hooks import IMH_ATTEMPT_POLICIES, hook_functions


def pages_user_may_attempt(*, user, page_ids: Iterable[int]) -> set[int]:
    """The pages among ``page_ids`` whose activities ``user`` may attempt."""
    page_ids = list(page_ids)
    if not page_ids or not getattr(user, "is_authenticated", False):
        return set()
    wanted = set(page_ids)
    allowed: set[int] = set()
    for policy in hook_functions(IMH_ATTEMPT_POLICIES):
        allowed |= wanted & set(policy(user, page_ids))
        if allowed == wanted:
            break  # every page is open already; the other policies cannot add any
    return allowed
