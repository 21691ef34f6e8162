"""Import and export of competency frameworks: our JSON and CSV formats and Moodle's CSV.

One module per format (``json_format``, ``csv_format``, ``moodle_format``), each reading a
file into the parsed framework of ``common`` and writing a framework back out. Every import
is read and checked completely (``validation``) before anything is written; then the whole
framework is written in one transaction (``writing``). ``importing`` and ``exporting`` are
the services; ``tree`` reads a framework in order for exports and the admin.
"""

from imh_competencies.frameworks_io.common import FORMATS, FrameworkImportError, framework_title
from imh_competencies.frameworks_io.exporting import (
    export_content_type,
    export_filename,
    framework_export,
)
from imh_competencies.frameworks_io.importing import (
    MAX_FILE_BYTES,
    SAMPLE_FRAMEWORK_PATH,
    framework_import,
    framework_import_sample,
)
from imh_competencies.frameworks_io.tree import framework_pending_crosswalk_count, framework_tree

__all__ = [
    "FORMATS",
    "MAX_FILE_BYTES",
    "SAMPLE_FRAMEWORK_PATH",
    "FrameworkImportError",
    "export_content_type",
    "export_filename",
    "framework_export",
    "framework_import",
    "framework_import_sample",
    "framework_pending_crosswalk_count",
    "framework_title",
    "framework_tree",
]
