"""Test settings with the database task backend, for benchmarks that run real task workers.

The test settings run tasks immediately, in-process; the certificate-issue benchmark needs
them queued in the database and run by ``manage.py db_worker`` processes. Files (public media
and the private certificate PDFs) are written under a throwaway folder
(``IMH_BENCH_MEDIA_ROOT``) so that every process sees the same files.
"""

import tempfile
from pathlib import Path

from cms.settings.test import *  # noqa: F403
from cms.settings.test import STORAGES, env

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
BENCH_FILES = Path(env("IMH_BENCH_MEDIA_ROOT", str(Path(tempfile.gettempdir()) / "imh-bench")))
MEDIA_ROOT = BENCH_FILES / "media"
PRIVATE_MEDIA_ROOT = BENCH_FILES / "private"
STORAGES = {
    **STORAGES,
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    },
    "private": {
        "BACKEND": "imh_core.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT)},
    },
}
