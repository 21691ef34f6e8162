"""Where private files live: certificates, evidence and reports, never on a public URL.

Files that belong to a person or an organisation (certificate PDFs, CPD and external
learning evidence, compliance reports) are stored on the ``"private"`` entry of
``settings.STORAGES``, away from ``MEDIA_ROOT`` and the public media URL, and are only ever
read through the apps' own views, which check who is asking. Their ``FileField``\\s take
``storage=private_storage``: a callable, so that migrations name this function rather than
whatever backend one environment's settings chose.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import InvalidStorageError, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

PRIVATE_STORAGE_ALIAS = "private"


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
