"""Text for files people open in a spreadsheet (CSV and XLSX exports, in every app).

Spreadsheets run a cell that begins like a formula (OWASP's "CSV injection"), and names,
titles and reflections are typed by people. Every app's exports put text through
``spreadsheet_safe``, so the rule lives in one place.
"""

from __future__ import annotations

from typing import Any

# A cell starting with one of these is read as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> str:
    """The value as text a spreadsheet shows and never runs: risky starts get a quote."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text
