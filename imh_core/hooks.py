"""The one way the apps extend each other and a host site extends them: Wagtail hooks.

A lower app never imports a higher one. When it needs something only a higher app (or the
host site) knows, it asks a named hook, and the higher app answers from its
``wagtail_hooks.py``::

    from wagtail import hooks

    @hooks.register(IMH_USER_DATA_ERASERS)
    def courses_eraser():
        return "courses", user_data_erase

Every hook name the apps use is a constant in this module with what its functions take and
return, so the extension points are listed in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from wagtail import hooks


def hook_functions(name: str) -> list[Callable[..., Any]]:
    """The functions registered for a hook, in registration order."""
    return list(hooks.get_hooks(name))


def hook_results(name: str, *args: Any, **kwargs: Any) -> Iterator[Any]:
    """Call every function registered for a hook and yield what each returns."""
    for function in hook_functions(name):
        yield function(*args, **kwargs)
