"""The educators' group and the permissions each app gives it.

An app lists what educators may do with its models as ``educator_permissions`` on its
AppConfig (codenames, or "app_label.codename" for another app's). After every ``migrate`` the
group named by ``IMH_EDUCATORS_GROUP`` (default "Educators"; ``None`` turns this off) gets
them. Permissions are only ever added: a
site that manages the group itself sets ``IMH_EDUCATORS_GROUP = None``.
"""

from __future__ import annotations

from django.apps import AppConfig

from imh_core.conf import imh_setting


def educators_group_name() -> str | None:
    """The educators' group's name, or ``None`` when the site manages its groups itself."""
    return imh_setting("IMH_EDUCATORS_GROUP")


def educator_permissions_grant(sender: AppConfig, using: str = "default", apps=None, **kwargs):
    """Give the educators' group the permissions the migrated app declares."""
    codenames = getattr(sender, "educator_permissions", ())
    name = educators_group_name()
    if not codenames or not name:
        return
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    # Django creates permissions in its own post_migrate receiver, which may run after this.
    create_permissions(sender, verbosity=0, using=using)
    group, _ = Group.objects.using(using).get_or_create(name=name)
    for qualified in codenames:
        app_label, _, codename = qualified.rpartition(".")
        permission = (
            Permission.objects.using(using)
            .filter(content_type__app_label=app_label or sender.label, codename=codename)
            .first()
        )
        if permission is not None:
            group.permissions.add(permission)
