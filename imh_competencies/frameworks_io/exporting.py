"""The export service: a framework as a file in any of the formats, with its name and type."""

from __future__ import annotations

from imh_competencies.frameworks_io import csv_format, json_format, moodle_format
from imh_competencies.frameworks_io.common import FORMATS
from imh_competencies.models import Framework


def framework_export(*, framework: Framework, format: str) -> bytes:
    """The framework as a file: ``json``, ``csv`` (ours) or ``moodle`` (Moodle's CSV)."""
    exporters = {
        "json": json_format.export,
        "csv": csv_format.export,
        "moodle": moodle_format.export,
    }
    if format not in exporters:
        raise ValueError(f"Unknown export format {format!r}: use {', '.join(FORMATS)}.")
    return exporters[format](framework)


def export_filename(*, framework: Framework, format: str) -> str:
    """The download name of the framework's file in ``format``."""
    suffix = {"json": ".json", "csv": ".csv", "moodle": "-moodle.csv"}[format]
    return f"{framework.slug}{suffix}"


def export_content_type(format: str) -> str:
    """The HTTP content type of a file in ``format``."""
    return "application/json" if format == "json" else "text/csv; charset=utf-8"
