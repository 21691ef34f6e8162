"""Checking uploaded clip files: WebM or MP4 by name and by content, within the size limit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from imh_core.conf import imh_setting

# Video files educators may upload: extension -> content type.
CLIP_TYPES = {"webm": "video/webm", "mp4": "video/mp4"}


def clip_file_kind(head: bytes) -> str | None:
    """ "webm" or "mp4" from the first bytes of a file, or None for anything else.

    WebM is a Matroska (EBML) file: it starts 1A 45 DF A3. An MP4 starts with a box whose
    type, at bytes 4 to 8, is "ftyp".
    """
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if len(head) >= 8 and head[4:8] == b"ftyp":
        return "mp4"
    return None


def clip_file_check(upload: Any) -> str:
    """Check an uploaded clip (type by extension and content, size); its content type."""
    name = str(getattr(upload, "name", "") or "")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in CLIP_TYPES:
        raise ValidationError(_("Upload the clip as a WebM (.webm) or MP4 (.mp4) video."))
    max_mb = int(imh_setting("IMH_RELIABILITY_CLIP_MAX_MB"))
    size = getattr(upload, "size", None) or 0
    if size > max_mb * 1024 * 1024:
        raise ValidationError(_("The clip must be %(max)s MB or smaller.") % {"max": max_mb})
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    kind = clip_file_kind(head)
    if kind is None:
        raise ValidationError(_("The file is not a WebM or MP4 video."))
    if kind != extension:
        raise ValidationError(
            _("The file is a %(kind)s video but its name ends .%(extension)s.")
            % {"kind": kind.upper(), "extension": extension}
        )
    return CLIP_TYPES[kind]
