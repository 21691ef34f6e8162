"""Fast, isolated settings for the test suite."""

from importlib.util import find_spec
from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, env

SECRET_KEY = "test-only-key"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
IMH_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Django's own immediate backend where Django has the task API (6.0+), so that tasks are
# Django's Task class, as the database backend on that Django expects; the backport's on 5.2.
TASKS = {
    "default": {
        "BACKEND": (
            "django.tasks.backends.immediate.ImmediateBackend"
            if find_spec("django.tasks")
            else "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    # Like a deployed private storage, it has no URLs (see tests/storage.py).
    "private": {"BACKEND": "tests.storage.PrivateInMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILADMIN_BASE_URL = "http://testserver"
# Test-only templates, such as a host site's plain base template (tests/templates/).
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "tests" / "templates"]  # noqa: F405
# Rate limits stay on in tests (some tests prove them) but allauth keeps its counters in the
# locmem cache above, which is cleared between tests by the conftest.

TEST_OUTPUT_DIR = Path(env("IMH_TEST_OUTPUT_DIR", str(BASE_DIR / "test-output")))
# Real H5P packages made by other projects, kept beside the checkout and never committed.
IMH_H5P_FIXTURES_DIR = Path(
    env("IMH_H5P_FIXTURES_DIR", str(BASE_DIR.parent / "shared" / "fixtures" / "h5p"))
)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The test database is thrown away: PostgreSQL need not wait for the disk at each commit
# (creating it and the transactional tests commit a great deal).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["OPTIONS"]["options"] = "-c synchronous_commit=off"  # noqa: F405
