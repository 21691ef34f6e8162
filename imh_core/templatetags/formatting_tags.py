"""Template filters for times of day and hours of learning (see ``imh_core.formatting``)."""

from __future__ import annotations

from django import template

from imh_core import formatting

register = template.Library()


@register.filter
def time_text(value: object) -> str:
    """``{{ session.starts_at|time_text }}`` → "9:30am"."""
    try:
        return formatting.time_text(value)  # type: ignore[arg-type]
    except AttributeError:
        return ""


@register.filter
def datetime_text(value: object, date_style: str = formatting.DATE_FORMAT) -> str:
    """``{{ report.created_at|datetime_text }}`` → "3 June 2026 at 9:30am"."""
    try:
        return formatting.datetime_text(value, date_style)  # type: ignore[arg-type]
    except (AttributeError, TypeError):
        return ""


@register.filter
def hours_text(value: object, kind: str = "") -> str:
    """``{{ item.hours|hours_text }}`` → "1.5 hours"; ``|hours_text:"CPD"`` → "1.5 CPD hours"."""
    return formatting.hours_text(value, kind)  # type: ignore[arg-type]
