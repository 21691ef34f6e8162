"""Who may record an observation of whose practice.

Educators (the ``imh_competencies.add_observation`` permission) may observe anyone. Higher apps
add other grounds without this app importing them, through the ``IMH_OBSERVER_POLICIES`` and
``IMH_OBSERVABLE_TRAINEES`` hooks (see ``imh_core.hooks``): organisations answers "a
supervisor named in the trainee's organisation" from its ``wagtail_hooks.py``.
"""

from __future__ import annotations

from typing import Any

from imh_core.hooks import (
    IMH_OBSERVABLE_TRAINEES,
    IMH_OBSERVER_POLICIES,
    hook_functions,
    hook_results,
)
from imh_core.people import person_name

OBSERVE_PERMISSION = "imh_competencies.add_observation"


def user_is_educator(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(OBSERVE_PERMISSION))


def user_may_observe(*, observer: Any, trainee: Any) -> bool:
    """Whether ``observer`` may record an observation of ``trainee``'s practice."""
    if not getattr(observer, "is_authenticated", False) or trainee is None:
        return False
    if observer.pk == trainee.pk or not trainee.is_active:
        return False
    if user_is_educator(observer):
        return True
    return any(
        policy(observer=observer, trainee=trainee)
        for policy in hook_functions(IMH_OBSERVER_POLICIES)
    )


def trainees_observable_by(*, observer: Any) -> list[Any]:
    """People the hook's answers name for ``observer`` (supervisees), by name."""
    if not getattr(observer, "is_authenticated", False):
        return []
    people: dict[int, Any] = {}
    for answer in hook_results(IMH_OBSERVABLE_TRAINEES, observer=observer):
        for person in answer:
            if person.pk != observer.pk:
                people.setdefault(person.pk, person)
    return sorted(people.values(), key=lambda p: (person_name(p).casefold(), p.pk))


def user_may_record_observations(user: Any) -> bool:
    """Whether the recording page is open to ``user`` at all."""
    return user_is_educator(user) or bool(trainees_observable_by(observer=user))
