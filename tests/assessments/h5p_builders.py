"""Build H5P packages in memory: a small valid one, and ways to break it."""

from __future__ import annotations

import io
import json
import stat
import struct
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

LIBRARY = "H5P.Sample-1.2"


def library_json(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Sample",
        "machineName": "H5P.Sample",
        "majorVersion": 1,
        "minorVersion": 2,
        "patchVersion": 3,
        "runnable": 1,
        "preloadedJs": [{"path": "js/sample.js"}],
        "preloadedCss": [{"path": "css/sample.css"}],
        "preloadedDependencies": [
            {"machineName": "H5P.Helper", "majorVersion": 2, "minorVersion": 0}
        ],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def helper_library_json(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Helper",
        "machineName": "H5P.Helper",
        "majorVersion": 2,
        "minorVersion": 0,
        "patchVersion": 1,
        "runnable": 0,
        "preloadedJs": [{"path": "helper.js"}],
    }
    data.update(overrides)
    return data


def h5p_json(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Sample activity",
        "language": "en",
        "mainLibrary": "H5P.Sample",
        "embedTypes": ["div"],
        "license": "U",
        "preloadedDependencies": [
            {"machineName": "H5P.Sample", "majorVersion": "1", "minorVersion": "2"},
            {"machineName": "H5P.Helper", "majorVersion": 2, "minorVersion": 0},
        ],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def valid_files() -> dict[str, Any]:
    """Package members: name -> bytes, text, or a JSON-able dict/list."""
    return {
        "h5p.json": h5p_json(),
        "content/content.json": {
            "question": "Is this a sample?",
            "image": {"path": "images/a.png", "mime": "image/png"},
        },
        "content/images/a.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
        f"{LIBRARY}/library.json": library_json(),
        f"{LIBRARY}/semantics.json": [{"name": "question", "type": "text"}],
        f"{LIBRARY}/language/fr.json": {"semantics": []},
        f"{LIBRARY}/js/sample.js": "H5P.Sample = function () {};",
        f"{LIBRARY}/css/sample.css": ".h5p-sample { color: black; }",
        f"{LIBRARY}/fonts/sample.woff2": b"wOF2" + b"\0" * 32,
        "H5P.Helper-2.0/library.json": helper_library_json(),
        "H5P.Helper-2.0/helper.js": "H5P.Helper = {};",
    }


def _bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    return json.dumps(value).encode()


def build(
    files: Mapping[str, Any] | None = None,
    *,
    symlinks: Iterable[tuple[str, str]] = (),
    directories: Iterable[str] = (),
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A ZIP of ``files`` (default: the valid package); names are written exactly as given."""
    files = valid_files() if files is None else files
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name in directories:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFDIR | 0o755) << 16
            archive.writestr(info, b"")
        for name, value in files.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = compression
            info.create_system = 3
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(info, _bytes(value))
        for name, target in symlinks:
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return buffer.getvalue()


def mutate(**changes: Any) -> dict[str, Any]:
    """The valid members with some replaced (``None`` removes one). Keys use ``__`` for ``/``."""
    files = valid_files()
    for key, value in changes.items():
        name = key.replace("__", "/")
        if value is None:
            files.pop(name, None)
        else:
            files[name] = value
    return files


def with_files(extra: Mapping[str, Any], *, remove: Iterable[str] = ()) -> dict[str, Any]:
    files = valid_files()
    for name in remove:
        files.pop(name)
    files.update(extra)
    return files


def lying_sizes(data: bytes, member: str, declared: int) -> bytes:
    """Rewrite ``member``'s uncompressed size in both ZIP headers to ``declared`` bytes."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo(member)
    raw = bytearray(data)
    # Local file header: size at offset 22.
    struct.pack_into("<I", raw, info.header_offset + 22, declared)
    # Central directory entry: find its signature followed by this name.
    encoded = member.encode()
    position = raw.find(b"PK\x01\x02", 0)
    while position != -1:
        name_length = struct.unpack_from("<H", raw, position + 28)[0]
        if bytes(raw[position + 46 : position + 46 + name_length]) == encoded:
            struct.pack_into("<I", raw, position + 24, declared)
            break
        position = raw.find(b"PK\x01\x02", position + 4)
    return bytes(raw)


def fixtures_dir() -> Path:
    folder = Path(getattr(settings, "IMH_H5P_FIXTURES_DIR", ""))
    if not folder.is_dir():
        pytest.skip(f"The real H5P packages folder is absent ({folder}); set IMH_H5P_FIXTURES_DIR.")
    return folder


def fixture(name: str) -> Path:
    return fixtures_dir() / name
