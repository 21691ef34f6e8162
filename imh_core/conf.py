"""The apps' own settings: every one starts with ``IMH_`` and has its default here.

A host site sets any of them in its Django settings; anything it leaves out takes the
default below. ``docs/settings.md`` says what each one does. Read them through
``imh_setting`` rather than ``getattr(settings, ...)``, so a default lives in one place and
``override_settings`` in tests still takes effect (the value is looked up on every call).
"""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings

PREFIX = "IMH_"

DEFAULTS: dict[str, Any] = {
    # Roles.
    "IMH_EDUCATORS_GROUP": "Educators",
    "IMH_RECOGNITION_ASSESSORS_GROUP": "Recognition assessors",
    # Pages.
    "IMH_COURSE_INDEX_PARENT_PAGE_TYPES": None,
    "IMH_COMPETENCIES_RECOMMENDED_PAGE_TYPES": ["imh_courses.coursepage"],
    # H5P uploads: any of the keys of imh_assessments.h5p.validation.H5PLimits.
    "IMH_H5P_LIMITS": {},
    # Certificates and their verification.
    "IMH_CERTIFICATE_ISSUER_DEFAULT": "IMH Learning",
    "IMH_VERIFY_RATE_LIMIT": 60,
    "IMH_VERIFY_API_RATE_LIMIT": 60,
    "IMH_VERIFY_BULK_RATE_LIMIT": 20,
    "IMH_VERIFY_BULK_MAX_ROWS": 1000,
    "IMH_VERIFY_BULK_MAX_BYTES": 1024 * 1024,
    # Recognition register: renewal reminders and verification.
    "IMH_RECOGNITION_REMINDER_DAYS": (90, 30, 7),
    "IMH_RECOGNITION_VERIFY_RATE_LIMIT": 60,
    "IMH_RECOGNITION_VERIFY_API_RATE_LIMIT": 60,
    # Compliance.
    "IMH_COMPLIANCE_REPORT_RETENTION_DAYS": 365,
    # Days before a reliability result's expiry from which it shows as "expiring soon".
    "IMH_RELIABILITY_EXPIRING_DAYS": 60,
    # Seconds a signed clip streaming link works for; largest clip upload in megabytes.
    "IMH_RELIABILITY_CLIP_URL_SECONDS": 300,
    "IMH_RELIABILITY_CLIP_MAX_MB": 200,
    # Page templates (imh_core/layout.html, docs/templates.md).
    "IMH_BASE_TEMPLATE": "imh_core/base.html",
    "IMH_LOAD_NHSUK_ASSETS": True,
    "IMH_SUPPORT_EMAIL": "",
    # Background tasks.
    "IMH_TASK_LEASE_MINUTES": 15,
    "IMH_TASK_RESULTS_RETENTION_DAYS": 7,
    # Email: what the task worker delivers with, behind imh_core.mail.TaskEmailBackend.
    "IMH_EMAIL_DELIVERY_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


def imh_setting(name: str) -> Any:
    """The host's value of setting ``name`` (``IMH_`` may be left off), or its default.

    An unknown name is a mistake in the code, not in the site's settings, so it raises
    ``KeyError`` rather than quietly returning ``None``.
    """
    key = name if name.startswith(PREFIX) else PREFIX + name
    if key not in DEFAULTS:
        raise KeyError(f"{key} is not one of the IMH Learning settings (imh_core.conf).")
    # A copy, so that code changing a list or dict it was given cannot change the default.
    return getattr(settings, key, copy.deepcopy(DEFAULTS[key]))
