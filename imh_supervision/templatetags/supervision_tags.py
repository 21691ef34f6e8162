"""Template filters for supervision pages."""

from __future__ import annotations

from typing import Any

from django import template

from imh_core.people import person_name

register = template.Library()


@register.filter
def person(user: Any) -> str:
    """``{{ pair.supervisor|person }}``: how the person is named everywhere else."""
    return person_name(user)
