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


def spreadsheet_unquote(text: str) -> str:
    """``spreadsheet_safe`` undone, for files the site reads back (framework CSVs).

    Only a quote in front of a formula start is removed: that is all ``spreadsheet_safe``
    adds, and a spreadsheet that saves the file again keeps it.
    """
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES) else text


class SpreadsheetSafeExportMixin:
    """For Wagtail admin listings with ``list_export``: every CSV and XLSX cell made safe.

    Put it before Wagtail's view class (``IndexView``, ``ReportView``). Wagtail writes text
    as it is, so a name such as "=HYPERLINK(...)" would run when the CSV is opened; in XLSX
    only "=" is caught, and a sheet saved again as CSV runs the rest. Text goes through
    ``spreadsheet_safe`` in both formats, headings included; numbers and dates stay values.
    """

    def preprocess_field_value(self, field: str, value: Any, export_format: str) -> Any:
        value = super().preprocess_field_value(field, value, export_format)
        return spreadsheet_safe(value) if isinstance(value, str) else value

    def get_heading(self, queryset: Any, field: str) -> str:
        return spreadsheet_safe(super().get_heading(queryset, field))
