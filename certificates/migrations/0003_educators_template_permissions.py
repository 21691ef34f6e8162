"""Educators design certificate templates in the admin (add, change, view) and preview them."""

from django.db import migrations

EDUCATORS = "Educators"
PERMISSIONS = (
    ("add_certificatetemplate", "Can add certificate template"),
    ("change_certificatetemplate", "Can change certificate template"),
    ("view_certificatetemplate", "Can view certificate template"),
)


def _permissions(apps):
    ContentType = apps.get_model("contenttypes.ContentType")
    Permission = apps.get_model("auth.Permission")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="certificates", model="certificatetemplate"
    )
    for codename, name in PERMISSIONS:
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
        ("certificates", "0002_external_cpd"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
