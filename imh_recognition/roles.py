"""The recognition assessors' group: who reviews applications for recognition.

After this app is migrated the group named by ``IMH_RECOGNITION_ASSESSORS_GROUP`` (default
"Recognition assessors"; ``None`` turns this off) is created if needed and given
``ASSESSOR_PERMISSIONS``. Permissions are only ever added, as for the educators' group.
"""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig

from imh_core.conf import imh_setting

REVIEW_PERMISSION = "imh_recognition.review_application"

ASSESSOR_PERMISSIONS = (
    "wagtailadmin.access_admin",
    "imh_recognition.review_application",
    "imh_recognition.view_application",
    "imh_recognition.view_scheme",
    "imh_recognition.view_recognition",
)


def assessors_group_name() -> str | None:
    return imh_setting("IMH_RECOGNITION_ASSESSORS_GROUP")


def user_is_assessor(user: Any) -> bool:
    """Whether ``user`` may review applications (anyone's but their own)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and user.has_perm(REVIEW_PERMISSION)
    )


def assessor_permissions_grant(
    sender: AppConfig, using: str = "default", apps: Any = None, **kwargs: Any
) -> None:
    """Create the assessors' group and give it what assessors need."""
    if sender.label != "imh_recognition":
        return
    name = assessors_group_name()
    if not name:
        return
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    create_permissions(sender, verbosity=0, using=using)
    group, _ = Group.objects.using(using).get_or_create(name=name)
    for qualified in ASSESSOR_PERMISSIONS:
        app_label, _, codename = qualified.partition(".")
        permission = (
            Permission.objects.using(using)
            .filter(content_type__app_label=app_label, codename=codename)
            .first()
        )
        if permission is not None:
            group.permissions.add(permission)
