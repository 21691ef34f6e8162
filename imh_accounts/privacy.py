"""How each app takes part in a person's data rights (export and erasure).

Accounts sits at the bottom of the import graph, so it cannot know what other apps hold
about a person. Each app answers two hooks from its ``wagtail_hooks.py`` (see
``imh_core.hooks``): ``IMH_USER_DATA_EXPORTERS`` with a section of the data export, and
``IMH_USER_DATA_ERASERS`` with what to remove or pseudonymise. The account services call
them all, in name order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from imh_core.hooks import IMH_USER_DATA_ERASERS, IMH_USER_DATA_EXPORTERS, hook_results

Exporter = Callable[[Any], Any]
Eraser = Callable[[Any], None]


def exporters() -> dict[str, Exporter]:
    """Every section of the data export and the function that fills it, by section name."""
    return dict(hook_results(IMH_USER_DATA_EXPORTERS))


def erasers() -> dict[str, Eraser]:
    """Every eraser, by name; a later answer for the same name replaces an earlier one."""
    return dict(hook_results(IMH_USER_DATA_ERASERS))
