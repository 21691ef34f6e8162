"""Educators maintain competency frameworks in the admin: view, add and change frameworks,
areas and competencies, and manage crosswalks between them."""

from django.db import migrations

EDUCATORS = "Educators"
PERMISSIONS = {
    "framework": (
        ("add_framework", "Can add framework"),
        ("change_framework", "Can change framework"),
        ("view_framework", "Can view framework"),
    ),
    "area": (
        ("add_area", "Can add area"),
        ("change_area", "Can change area"),
        ("view_area", "Can view area"),
    ),
    "competency": (
        ("add_competency", "Can add competency"),
        ("change_competency", "Can change competency"),
        ("view_competency", "Can view competency"),
    ),
    "crosswalk": (
        ("add_crosswalk", "Can add crosswalk"),
        ("change_crosswalk", "Can change crosswalk"),
        ("delete_crosswalk", "Can delete crosswalk"),
        ("view_crosswalk", "Can view crosswalk"),
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
        ("competencies", "0003_educators_evidence_permissions"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
