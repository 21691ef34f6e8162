"""How each app takes part in a person's data rights (export and erasure).

Accounts sits at the bottom of the import graph, so it cannot know what other apps hold
about a person. Each app registers, in its ``AppConfig.ready()``, an exporter that returns
JSON-safe data about one user and an eraser that removes or pseudonymises it. The account
services call them all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Exporter = Callable[[Any], Any]
Eraser = Callable[[Any], None]

_exporters: dict[str, Exporter] = {}
_erasers: dict[str, Eraser] = {}


def register_exporter(section: str, exporter: Exporter) -> None:
    """Add ``section`` to every data export; ``exporter(user)`` returns JSON-safe data."""
    _exporters[section] = exporter


def register_eraser(name: str, eraser: Eraser) -> None:
    """Call ``eraser(user)`` inside the account-deletion transaction."""
    _erasers[name] = eraser


def exporters() -> dict[str, Exporter]:
    return dict(_exporters)


def erasers() -> dict[str, Eraser]:
    return dict(_erasers)
