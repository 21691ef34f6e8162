"""Settings shared by every environment; deploy-specific values come from the environment."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("DJANGO_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


def env_required(name: str) -> str:
    value = env(name)
    if value is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


SECRET_KEY = env("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "cms.views.csrf_failure"

INSTALLED_APPS = [
    # Project apps, highest first (see ARCHITECTURE in the README).
    "cms",
    "imh_recognition",
    "imh_compliance",
    "imh_supervision",
    "imh_organisations",
    "imh_courses",
    "imh_certificates",
    "imh_assessments",
    "imh_reliability",
    "imh_competencies",
    "imh_accounts",
    "imh_core",
    # NHS.UK design system.
    "wagtailnhsukfrontend",
    "wagtailnhsukfrontend.forms",
    # Wagtail.
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Accounts.
    "allauth",
    "allauth.account",
    # Background tasks.
    "django_tasks",
    "django_tasks_db",
    # Django.
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.forms",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language from the switcher (a cookie), else the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cms.middleware.SiteCSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "cms.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cms" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "csp.context_processors.nonce",
                "imh_core.context_processors.imh",
                "cms.context_processors.site_chrome",
            ],
        },
    },
]

# The apps' pages extend the site's own NHS.UK base template, which loads the design system.
IMH_BASE_TEMPLATE = "base.html"
IMH_LOAD_NHSUK_ASSETS = False

# Form widgets render as NHS.UK design-system markup.
FORM_RENDERER = "wagtailnhsukfrontend.forms.renderers.NHSUKFrontendRenderer"

WSGI_APPLICATION = "cms.wsgi.application"
ASGI_APPLICATION = "cms.asgi.application"


# Database: SQLite by default (embedded demo), PostgreSQL or any other through DATABASE_URL.
def database_config(url: str | None) -> dict:
    if url:
        config = dj_database_url.parse(url, conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60))
        config.setdefault("OPTIONS", {})
        if config["ENGINE"] == "django.db.backends.postgresql":
            config["CONN_HEALTH_CHECKS"] = True
        return config
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "db.sqlite3",
        "OPTIONS": {
            # WAL lets readers carry on while the task worker writes; IMMEDIATE takes the write
            # lock at BEGIN so concurrent writers queue instead of failing with "database is
            # locked" half way through a transaction.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
            ),
        },
    }


DATABASES = {"default": database_config(env("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL")}
        if env("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "imh_accounts:dashboard"
LOGOUT_REDIRECT_URL = "/"

# allauth: email is the only identifier, and it must be verified before the account is used.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_ADAPTER = "imh_accounts.adapter.AccountAdapter"
# Sign-up looks and takes the same time whether or not the address already has an account.
ACCOUNT_FORMS = {"signup": "imh_accounts.forms.SignupForm"}
# Rate limits are on (allauth's defaults, stated here so they are visible and reviewable).
ACCOUNT_RATE_LIMITS = {
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "confirm_email": "1/3m/key",
}

LANGUAGE_CODE = "en-gb"
# Welsh for NHS Wales bodies. Each name is in its own language, as a switcher shows it.
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # The H5P player, installed by npm at set-up time and never committed. A built wheel
    # carries a copy at this same static path inside imh_assessments (see setup.py).
    (
        "imh_assessments/h5p-standalone",
        BASE_DIR / "node_modules" / "h5p-standalone" / "dist",
    ),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media")))
# Certificates, evidence and reports: outside MEDIA_ROOT, read only through the apps' views.
PRIVATE_MEDIA_ROOT = Path(env("DJANGO_PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private-media")))

# Media on S3-compatible storage when a bucket is configured, local files otherwise.
if env("AWS_STORAGE_BUCKET_NAME"):
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL"),
            "region_name": env("AWS_S3_REGION_NAME"),
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    # Names start private/; that bucket (the media bucket unless another is set) must not let
    # private/ be read publicly. Links are signed and short lived, never on the public custom
    # domain (it would drop the signature).
    PRIVATE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **MEDIA_STORAGE["OPTIONS"],
            "bucket_name": env("AWS_PRIVATE_STORAGE_BUCKET_NAME", env("AWS_STORAGE_BUCKET_NAME")),
            "custom_domain": None,
            "querystring_auth": True,
            "querystring_expire": 300,
        },
    }
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    PRIVATE_STORAGE = {
        "BACKEND": "imh_core.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT},
    }

STORAGES = {
    "default": MEDIA_STORAGE,
    "private": PRIVATE_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Email goes through the task queue so that no request waits on an SMTP server.
EMAIL_BACKEND = "imh_core.mail.TaskEmailBackend"
IMH_EMAIL_DELIVERY_BACKEND = env(
    "DJANGO_EMAIL_DELIVERY_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_FILE_PATH = VAR_DIR / "emails"
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", "IMH Learning <no-reply@localhost>")
SERVER_EMAIL = env("DJANGO_SERVER_EMAIL", DEFAULT_FROM_EMAIL)

TASKS = {
    "default": {
        "BACKEND": env("DJANGO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# The database task backend keeps no heartbeat, so a task still "running" this many minutes
# after it started is presumed lost with its worker (killed, out of memory, host restarted):
# it is marked failed and, if safe to repeat, queued again (see cms/task_recovery.py). Keep
# it well above the slowest real task; a PDF or a nightly sync takes seconds to a minute.
IMH_TASK_LEASE_MINUTES = env_int("IMH_TASK_LEASE_MINUTES", 15)
# Finished task results (an email's is its whole message until it has gone) are deleted
# after this many days.
IMH_TASK_RESULTS_RETENTION_DAYS = env_int("IMH_TASK_RESULTS_RETENTION_DAYS", 7)

# Wagtail
WAGTAIL_SITE_NAME = "IMH Learning"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = [
    "csv",
    "docx",
    "key",
    "mp4",
    "odt",
    "pdf",
    "pptx",
    "rtf",
    "txt",
    "vtt",
    "webm",
    "xlsx",
    "zip",
]
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Passwords and email addresses are managed on the site's account pages (allauth), which rate
# limit password changes and verify new addresses; Wagtail's account page would do neither.
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
# No third-party avatar requests from the admin: they leak who is looking at what.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
IMH_ADMIN_PATH_PREFIX = "/admin/"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024

# Security headers that hold everywhere; production adds HTTPS-only settings.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Content Security Policy (django-csp 4). Scripts and styles come from this origin only;
# the few inline scripts carry a per-request nonce. The Wagtail admin gets a wider policy in
# cms.middleware because its editor widgets use inline styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        # The NHS.UK stylesheet loads its Frutiger web fonts from the NHS's asset host; where
        # they cannot load, it falls back to Arial.
        "font-src": [SELF, "data:", *env_list("IMH_CSP_FONT_SRC", "https://assets.nhs.uk")],
        "connect-src": [SELF],
        "frame-src": [SELF, "https://www.youtube-nocookie.com", "https://player.vimeo.com"],
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint reports each rendering step at INFO; only its warnings are news.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Project settings.
IMH_SUPPORT_EMAIL_DEFAULT = env("IMH_SUPPORT_EMAIL", "support@example.org")
