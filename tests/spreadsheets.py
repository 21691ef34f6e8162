"""Reading the admin's CSV and XLSX downloads back, for the export tests of every app."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell

from imh_core.spreadsheets import FORMULA_PREFIXES

# A value for each way a cell can start a formula; the export must quote every one.
RISKY_VALUES = [f'{start}HYPERLINK("https://example.com","Click")' for start in FORMULA_PREFIXES]
RISKY_IDS = ["equals", "plus", "minus", "at", "tab", "carriage-return"]


def content_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(response) -> list[dict[str, str]]:
    """The CSV download as a dict per row, by heading."""
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(content_of(response).decode("utf-8-sig"))))


def xlsx_rows(response) -> list[dict[str, Cell]]:
    """The XLSX download's first sheet as a dict of cells per row, by heading."""
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(content_of(response))).worksheets[0]
    header, *rows = sheet.iter_rows()
    headings = [cell.value for cell in header]
    return [dict(zip(headings, row, strict=True)) for row in rows]


def assert_plain_text(cell: Cell, expected: str) -> None:
    """An XLSX cell holding ``expected`` as text, never a formula."""
    assert cell.data_type == "s"
    # XML reads a stored carriage return back as a line feed; the quote before it is what counts.
    assert cell.value == expected.replace("\r", "\n")
