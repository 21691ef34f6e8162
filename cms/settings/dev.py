"""Local development and the embedded demo: SQLite, console email, the database task worker."""

from urllib.parse import urlsplit

from .base import *  # noqa: F403
from .base import WAGTAILADMIN_BASE_URL, env, env_bool, env_list

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env("DJANGO_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
# The loopback names, any set in DJANGO_ALLOWED_HOSTS, and the host of the base URL, so that a
# demo served on another address (DEMO_ADDRESS, which sets the base URL) answers there.
ALLOWED_HOSTS = list(
    dict.fromkeys(
        [
            "localhost",
            "127.0.0.1",
            "[::1]",
            "testserver",
            *env_list("DJANGO_ALLOWED_HOSTS"),
            *filter(None, [urlsplit(WAGTAILADMIN_BASE_URL).hostname]),
        ]
    )
)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
