"""Where H5P files live in media storage, and how a validated package is written there.

Layout (through Django's storage API only, so S3-compatible storage works as well as disk):

- ``h5p/content/<activity uuid>/``: the package's ``content/`` folder (so ``content.json`` and
  its media) plus the package's ``h5p.json``. ``H5PActivity.content_path`` holds this prefix
  and is the source of truth: a replaced package is written under a fresh prefix
  ``h5p/content/<activity uuid>-<token>/`` before the old one is deleted (see
  ``imh_assessments.services.h5p``).
- ``h5p/libraries/<Machine.Name-MAJOR.MINOR>/``: each library once, with its ``library.json``,
  shared by every activity that uses it (``H5PLibrary.storage_path``).

Libraries are only ever added, never overwritten: a package carrying a library version that
is already installed (same machine name and major.minor) uses the installed files, even when
its own patch version is newer. Overwriting in place would change, file by file, the code that
other activities are playing at that moment, and a failure part-way would leave a mix of two
versions; object storage cannot switch a whole folder at once. Upgrading an installed library
to a newer patch is therefore a separate, deliberate step (not offered yet).

``StorageWriter`` remembers every file it writes so that a failed upload can remove them all.
"""

from __future__ import annotations

import contextlib
import posixpath
import zipfile

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.utils.translation import gettext as _

from imh_assessments.h5p.validation import (
    H5P_JSON,
    H5PLimits,
    MemberTooLarge,
    PackagedLibrary,
    ValidationResult,
    read_member,
)

CONTENT_ROOT = "h5p/content/"
LIBRARIES_ROOT = "h5p/libraries/"


class ExtractionError(Exception):
    """The archive did not match what validation saw (it lied about sizes, or is damaged)."""


def content_prefix(activity_uuid: object, token: str = "") -> str:
    """``h5p/content/<uuid>/`` (or ``h5p/content/<uuid>-<token>/`` for a replaced package)."""
    return f"{CONTENT_ROOT}{activity_uuid}{'-' + token if token else ''}/"


def library_prefix(folder_name: str) -> str:
    """``h5p/libraries/<Machine.Name-MAJOR.MINOR>/``."""
    return f"{LIBRARIES_ROOT}{folder_name}/"


class StorageWriter:
    """Writes files at exact names and can take back everything it wrote."""

    def __init__(self, storage: Storage | None = None) -> None:
        self.storage = storage or default_storage
        self.written: list[str] = []

    def save(self, name: str, data: bytes) -> None:
        saved = self.storage.save(name, ContentFile(data))
        if saved != name:
            # The storage renamed it because the name was taken: never store under a name
            # the player would not look for.
            self.written.append(saved)
            raise ExtractionError(_("%(name)s already exists in storage") % {"name": name})
        self.written.append(saved)

    def track(self, name: str) -> None:
        """Remember a file written by other means (a model's FileField) for ``rollback``."""
        self.written.append(name)

    def rollback(self) -> None:
        for name in reversed(self.written):
            # Best effort: one failed delete must not stop the others.
            with contextlib.suppress(Exception):
                self.storage.delete(name)
        self.written.clear()


class Budget:
    """Counts the bytes really inflated against the package's total limit."""

    def __init__(self, limits: H5PLimits) -> None:
        self.limits = limits
        self.used = 0

    def read(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
        try:
            data = read_member(archive, info, limit=self.limits.max_file_size)
        except MemberTooLarge as exc:
            raise ExtractionError(
                _("%(file)s: the file inflates to more than its header says")
                % {"file": info.filename}
            ) from exc
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise ExtractionError(
                _("%(file)s: the file cannot be read (%(error)s)")
                % {"file": info.filename, "error": exc}
            ) from exc
        self.used += len(data)
        if self.used > self.limits.max_total_size:
            raise ExtractionError(_("the package inflates to more than the total size allowed"))
        return data


def extract_content(
    archive: zipfile.ZipFile,
    result: ValidationResult,
    *,
    prefix: str,
    writer: StorageWriter,
    budget: Budget,
) -> None:
    """Write ``content/*`` and ``h5p.json`` under ``prefix``."""
    for entry in result.entries:
        if entry.kind == "content":
            target = prefix + entry.relative
        elif entry.kind == "h5p_json":
            target = prefix + H5P_JSON
        else:
            continue
        data = result.cache.get(entry.info.filename)
        if data is None:
            data = budget.read(archive, entry.info)
        writer.save(target, data)


def extract_library(
    archive: zipfile.ZipFile,
    result: ValidationResult,
    library: PackagedLibrary,
    *,
    writer: StorageWriter,
    budget: Budget,
) -> str:
    """Write one library's files under its shared prefix; returns the prefix.

    The caller owns the prefix (it has just created the library's row), so a file already
    there is a leftover of an earlier failed attempt and is replaced.
    """
    prefix = library_prefix(library.folder_name)
    for entry in result.entries:
        if entry.kind != "library" or entry.folder != library.folder:
            continue
        target = prefix + entry.relative
        data = result.cache.get(entry.info.filename)
        if data is None:
            data = budget.read(archive, entry.info)
        if writer.storage.exists(target):
            writer.storage.delete(target)
        writer.save(target, data)
    return prefix


def delete_prefix(prefix: str, storage: Storage | None = None) -> int:
    """Delete every file under ``prefix`` (a folder ending in ``/``); returns how many."""
    storage = storage or default_storage
    count = 0
    try:
        folders, files = storage.listdir(prefix.rstrip("/"))
    except (FileNotFoundError, NotADirectoryError):
        return 0
    for name in files:
        storage.delete(posixpath.join(prefix, name))
        count += 1
    for folder in folders:
        count += delete_prefix(posixpath.join(prefix, folder) + "/", storage)
    return count
