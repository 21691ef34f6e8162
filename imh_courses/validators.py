"""Text that must stay on one line: it goes into email subjects and calendar files.

A line break in an email subject makes Django refuse the message (a header cannot hold one),
so a session title with one would make every email about the session fail, every time.
The pattern is written so Python, PostgreSQL and SQLite (through Django's REGEXP function)
read it the same way, because the model's check constraint reuses it.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Control characters (tab, line feed, carriage return and the rest) and Unicode's line and
# paragraph separators. NUL is checked apart: PostgreSQL cannot store it, so the pattern the
# database constraint uses leaves it out.
CONTROL_CHARACTERS = r"[\x01-\x1f\x7f-\x9f\u2028\u2029]"

ONE_LINE_TITLE_MESSAGE = _(
    "Title must be on one line: remove line breaks, tabs and other hidden characters"
)

_CONTROL = re.compile(CONTROL_CHARACTERS)


def validate_one_line_title(value: str) -> None:
    if "\x00" in value or _CONTROL.search(value):
        raise ValidationError(ONE_LINE_TITLE_MESSAGE, code="not_one_line")
