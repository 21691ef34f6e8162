"""Who may record an observation of whose practice.

Educators (the ``imh_competencies.add_observation`` permission) may observe anyone. Higher apps
add other grounds without this app importing them: organisations registers "a supervisor
named in the trainee's organisation" in its ``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

ObserverPolicy = Callable[..., bool]
TraineeSource = Callable[..., Iterable[Any]]

OBSERVE_PERMISSION = "imh_competencies.add_observation"

_policies: dict[str, ObserverPolicy] = {}
_trainee_sources: dict[str, TraineeSource] = {}


def register_observer_policy(
    fn: ObserverPolicy, *, trainees: TraineeSource | None = None, name: str | None = None
) -> None:
    """Let ``fn(observer=..., trainee=...)`` allow an observation.

    ``trainees(observer=...)``, when given, lists the people that policy lets the observer
    observe, so the recording page can offer them by name.
    """
    key = name or f"{fn.__module__}.{fn.__qualname__}"
    _policies[key] = fn
    if trainees is not None:
        _trainee_sources[key] = trainees


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
    return any(policy(observer=observer, trainee=trainee) for policy in _policies.values())


def trainees_observable_by(*, observer: Any) -> list[Any]:
    """People the registered policies name for ``observer`` (supervisees), by name."""
    if not getattr(observer, "is_authenticated", False):
        return []
    people: dict[int, Any] = {}
    for source in _trainee_sources.values():
        for person in source(observer=observer):
            if person.pk != observer.pk:
                people.setdefault(person.pk, person)
    return sorted(people.values(), key=lambda p: ((p.get_full_name() or p.email).lower(), p.pk))


def user_may_record_observations(user: Any) -> bool:
    """Whether the recording page is open to ``user`` at all."""
    return user_is_educator(user) or bool(trainees_observable_by(observer=user))
