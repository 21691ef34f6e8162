"""Times of day and hours of learning as people read them, in one style everywhere.

NHS.UK and GOV.UK style: "9:30am", "2pm", "midday", "midnight" (lowercase, no space, no
":00"), always in UK time; hours as "1 hour", "1.5 hours", "0.5 hours". Pages, emails, PDFs
and admin listings use these (through ``imh_core.templatetags.formatting_tags`` in
templates); data exports and the JSON API keep plain values.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext, ngettext, pgettext

DATE_FORMAT = "j F Y"


def _local(moment: datetime.datetime | datetime.time) -> datetime.datetime | datetime.time:
    if isinstance(moment, datetime.datetime) and timezone.is_aware(moment):
        return timezone.localtime(moment)
    return moment


def time_text(moment: datetime.datetime | datetime.time | None) -> str:
    """The time of day: 9:30am, 2pm, midday, midnight. Empty for ``None``."""
    if moment is None:
        return ""
    local = _local(moment)
    if local.minute == 0 and local.hour == 12:
        return gettext("midday")
    if local.minute == 0 and local.hour == 0:
        return gettext("midnight")
    hour = local.hour % 12 or 12
    values = {"hour": hour, "minutes": f"{local.minute:02d}"}
    if local.minute:
        if local.hour < 12:
            return pgettext("time of day", "%(hour)s:%(minutes)sam") % values
        return pgettext("time of day", "%(hour)s:%(minutes)spm") % values
    if local.hour < 12:
        return pgettext("time of day", "%(hour)sam") % values
    return pgettext("time of day", "%(hour)spm") % values


def datetime_text(moment: datetime.datetime | None, date_style: str = DATE_FORMAT) -> str:
    """A date and time: "3 June 2026 at 9:30am" (``date_style`` is a Django date format)."""
    if moment is None:
        return ""
    local = _local(moment)
    return gettext("%(date)s at %(time)s") % {
        "date": date_format(local, date_style),
        "time": time_text(local),
    }


def hours_value(value: Decimal | float | int | str | None) -> Decimal | None:
    """Hours to one decimal place, the precision they are recorded in; ``None`` if unreadable."""
    if value is None or value == "":
        return None
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not hours.is_finite():
        return None
    return hours.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def hours_text(value: Decimal | float | int | str | None, kind: str = "") -> str:
    """Hours of learning: "1 hour", "1.5 hours", "0.5 hours", "12 hours" ("3.0" reads oddly).

    ``kind`` goes before the unit: ``hours_text(6.5, "CPD")`` is "6.5 CPD hours". Empty for
    ``None`` or a value that is not a number.
    """
    hours = hours_value(value)
    if hours is None:
        return ""
    number = f"{hours:f}".removesuffix(".0")
    if number == "-0":
        number = "0"
    # Hours can be fractional: only exactly one takes the singular in English.
    count = 1 if hours == 1 else 2
    if kind:
        return ngettext("%(number)s %(kind)s hour", "%(number)s %(kind)s hours", count) % {
            "number": number,
            "kind": kind,
        }
    return ngettext("%(number)s hour", "%(number)s hours", count) % {"number": number}


def and_list(items: Iterable[str]) -> str:
    """Items joined as people write lists: "a", "a and b", "a, b and c"."""
    items = [str(item) for item in items]  # labels may be lazy translations
    if len(items) <= 1:
        return "".join(items)
    return gettext("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}
