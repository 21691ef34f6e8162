"""Storage for the test settings."""

from __future__ import annotations

from django.core.files.storage import InMemoryStorage


class PrivateInMemoryStorage(InMemoryStorage):
    """In memory, fast, and like every real private storage: no public URL.

    A page that asks a private file for its URL fails here as it would on a deployed site,
    where local private files have none (and S3 would hand out a link that skips the views
    which check and log who reads the file).
    """

    def url(self, name: str | None) -> str:
        raise ValueError("Private files are not accessible via a URL.")
