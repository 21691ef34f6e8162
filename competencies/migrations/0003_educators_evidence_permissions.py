"""Educators record observations of practice and verify external learning."""

from django.db import migrations

EDUCATORS = "Educators"
PERMISSIONS = {
    "observation": (
        ("add_observation", "Can add observation"),
        ("view_observation", "Can view observation"),
    ),
    "externallearning": (
        ("change_externallearning", "Can change external learning"),
        ("view_externallearning", "Can view external learning"),
    ),
}


def _permissions(apps):
    ContentType = apps.get_model("contenttypes.ContentType")
    Permission = apps.get_model("auth.Permission")
    for model, codenames in PERMISSIONS.items():
        content_type, _ = ContentType.objects.get_or_create(app_label="competencies", model=model)
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
        ("competencies", "0002_evidence_sources"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
