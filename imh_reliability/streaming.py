"""Streaming a private clip file with HTTP Range support (so video players can seek)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from django.http import HttpResponse, StreamingHttpResponse

CHUNK_BYTES = 64 * 1024
RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str, size: int) -> tuple[int, int] | bool | None:
    """The (first, last) byte positions a single ``Range`` header asks for.

    None when there is no usable Range header (send the whole file); False when the range
    cannot be satisfied (416). Multiple ranges are not supported and get the whole file.
    """
    match = RANGE_RE.match((header or "").strip())
    if not match:
        return None
    start_text, end_text = match.groups()
    if not start_text and not end_text:
        return None
    if not start_text:
        # The last N bytes.
        length = int(end_text)
        if length == 0:
            return False
        return max(size - length, 0), size - 1
    start = int(start_text)
    end = int(end_text) if end_text else size - 1
    if start >= size or end < start:
        return False
    return start, min(end, size - 1)


def _chunks(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            data = handle.read(min(CHUNK_BYTES, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        handle.close()


def _private_headers(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = "inline"
    return response


def ranged_file_response(
    *, handle: IO[bytes], size: int, content_type: str, range_header: str
) -> HttpResponse:
    """The file (or the part asked for) as a private, inline, uncached response."""
    wanted = parse_range(range_header, size)
    if wanted is False:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return _private_headers(response)
    if wanted is None:
        start, end, status = 0, size - 1, 200
    else:
        start, end = wanted
        status = 206
    length = max(end - start + 1, 0)
    response = StreamingHttpResponse(
        _chunks(handle, start, length), status=status, content_type=content_type
    )
    response["Content-Length"] = str(length)
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return _private_headers(response)


def is_stream_start(range_header: str) -> bool:
    """Whether a request starts watching (no Range, or a range from byte 0)."""
    match = RANGE_RE.match((range_header or "").strip())
    if not match:
        return True
    return match.group(1) == "0"
