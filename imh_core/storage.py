"""Where private files live: certificates, evidence and reports, never on a public URL.

Files that belong to a person or an organisation (certificate PDFs, CPD and external
learning evidence, compliance reports) are stored on the ``"private"`` entry of
``settings.STORAGES``, away from ``MEDIA_ROOT`` and the public media URL, and are only ever
read through the apps' own views, which check who is asking. Their ``FileField``\\s take
``storage=private_storage``: a callable, so that migrations name this function rather than
whatever backend one environment's settings chose.

A site keeping them on local disk uses ``PrivateFileSystemStorage`` for that entry, in a
folder of its own outside ``MEDIA_ROOT``; one on S3 uses a bucket (or prefix) that is not
public.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, InvalidStorageError, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

PRIVATE_STORAGE_ALIAS = "private"
# Every private file's name starts with this (the apps' ``upload_to``), on every storage.
PRIVATE_PREFIX = "private"


class _PrivateStorage(LazyObject):
    """``storages["private"]``, looked up on first use and again when STORAGES changes."""

    def _setup(self) -> None:
        try:
            self._wrapped = storages[PRIVATE_STORAGE_ALIAS]
        except InvalidStorageError as exc:
            raise ImproperlyConfigured(
                f'Add a "{PRIVATE_STORAGE_ALIAS}" entry to STORAGES: certificates, evidence '
                "and reports are kept there, never on the public media storage."
            ) from exc


_private_storage = _PrivateStorage()


def private_storage() -> Storage:
    """The storage for files only their owners (and those who look after them) may read."""
    return _private_storage  # type: ignore[return-value]


@receiver(setting_changed)
def _reset_private_storage(*, setting: str, **kwargs: object) -> None:
    if setting == "STORAGES":
        _private_storage._wrapped = empty


class PrivateFileSystemStorage(FileSystemStorage):
    """Local files with no URL at all, in a folder that must not be inside ``MEDIA_ROOT``."""

    def __init__(self, location: str | Path | None = None, **kwargs: Any) -> None:
        if not location:
            raise ImproperlyConfigured(
                "Give the private file storage a location of its own (PRIVATE_MEDIA_ROOT)."
            )
        media_root = Path(settings.MEDIA_ROOT).resolve()
        if Path(location).resolve().is_relative_to(media_root):
            raise ImproperlyConfigured(
                f"PRIVATE_MEDIA_ROOT ({location}) must be outside MEDIA_ROOT ({media_root}), "
                "which is served to anyone."
            )
        super().__init__(location=location, **kwargs)

    @property
    def base_url(self) -> None:  # type: ignore[override]
        """No URL: FileSystemStorage.url() then refuses, instead of pointing at MEDIA_URL."""
        return None


def is_private_name(name: str) -> bool:
    """Whether a media path, however written, falls under the private prefix."""
    normal = posixpath.normpath(name.replace("\\", "/")).lstrip("/").casefold()
    return normal == PRIVATE_PREFIX or normal.startswith(f"{PRIVATE_PREFIX}/")
