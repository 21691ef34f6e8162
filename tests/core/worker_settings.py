"""Settings for a real ``db_worker`` process started by a test: the test settings, with tasks
stored in the database and files (public and private) written under one folder the test can
read (``IMH_TEST_WORKER_MEDIA_ROOT``), one subfolder per storage."""

from pathlib import Path

from cms.settings.test import *  # noqa: F403
from cms.settings.test import STORAGES, env

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
MEDIA_ROOT = Path(env("IMH_TEST_WORKER_MEDIA_ROOT", "var/test-worker-media"))
STORAGES = {
    name: config
    if name == "staticfiles"
    else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT / name)},
    }
    for name, config in STORAGES.items()
}
