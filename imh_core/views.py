"""Admin views every app's viewsets share."""

from __future__ import annotations

from wagtail.admin.views.generic import IndexView

from imh_core.spreadsheets import SpreadsheetSafeExportMixin


class SpreadsheetSafeIndexView(SpreadsheetSafeExportMixin, IndexView):
    """The index view for any viewset with ``list_export``: its downloads never run formulas."""
