import pytest

from imh_core.spreadsheets import spreadsheet_safe


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_formula_start_gets_a_quote(start):
    assert spreadsheet_safe(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"


@pytest.mark.parametrize(
    ("value", "expected"), [("Priya Shah", "Priya Shah"), (None, ""), (3, "3"), ("a=b", "a=b")]
)
def test_anything_else_is_left_as_text(value, expected):
    assert spreadsheet_safe(value) == expected
