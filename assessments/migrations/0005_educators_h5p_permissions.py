"""Educators upload and manage H5P activities (add, change, delete, view) and see libraries."""

from django.db import migrations

EDUCATORS = "Educators"
PERMISSIONS = {
    "h5pactivity": (
        ("add_h5pactivity", "Can add H5P activity"),
        ("change_h5pactivity", "Can change H5P activity"),
        ("delete_h5pactivity", "Can delete H5P activity"),
        ("view_h5pactivity", "Can view H5P activity"),
    ),
    "h5plibrary": (("view_h5plibrary", "Can view H5P library"),),
}


def _permissions(apps):
    ContentType = apps.get_model("contenttypes.ContentType")
    Permission = apps.get_model("auth.Permission")
    for model, codenames in PERMISSIONS.items():
        content_type, _ = ContentType.objects.get_or_create(app_label="assessments", model=model)
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
        ("assessments", "0004_xapi_results"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
