"""Serving private evidence files: always as a download, never sniffed, never cached.

Used by every view that hands an uploaded evidence file back to someone allowed to see it,
so the rules stay in one place.
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePath

from django.db.models.fields.files import FieldFile
from django.http import FileResponse

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def private_file_response(*, file: FieldFile, original_name: str = "") -> FileResponse:
    """``file`` as an attachment named after ``original_name`` (with the stored extension)."""
    suffix = PurePath(file.name).suffix.lower()
    name = PurePath(original_name or "").stem or "evidence"
    content_type = DOCX if suffix == ".docx" else mimetypes.types_map.get(suffix)
    response = FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=f"{name}{suffix}",
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
