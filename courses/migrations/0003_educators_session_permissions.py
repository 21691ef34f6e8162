"""Educators plan live sessions in the admin (add, change, view) and look up bookings."""

from django.db import migrations

EDUCATORS = "Educators"
PERMISSIONS = {
    "livesession": (
        ("add_livesession", "Can add live session"),
        ("change_livesession", "Can change live session"),
        ("view_livesession", "Can view live session"),
    ),
    "booking": (("view_booking", "Can view booking"),),
}


def _permissions(apps):
    ContentType = apps.get_model("contenttypes.ContentType")
    Permission = apps.get_model("auth.Permission")
    for model, codenames in PERMISSIONS.items():
        content_type, _ = ContentType.objects.get_or_create(app_label="courses", model=model)
        for codename, name in codenames:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type, codename=codename, defaults={"name": name}
            )
            yield permission


def grant(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    educators, _ = Group.objects.get_or_create(name=EDUCATORS)
    educators.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    educators = Group.objects.filter(name=EDUCATORS).first()
    if educators is not None:
        educators.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0002_course_tree_pathways_sessions_learning"),
        ("cms", "0002_site_structure"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
