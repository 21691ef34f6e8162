"""Educators write questions and quizzes, see attempts and mark free-text answers."""

from django.db import migrations

EDUCATORS = "Educators"
PERMISSIONS = {
    "question": (
        ("add_question", "Can add question"),
        ("change_question", "Can change question"),
        ("delete_question", "Can delete question"),
        ("view_question", "Can view question"),
    ),
    "quiz": (
        ("add_quiz", "Can add quiz"),
        ("change_quiz", "Can change quiz"),
        ("delete_quiz", "Can delete quiz"),
        ("view_quiz", "Can view quiz"),
    ),
    "quizattempt": (("view_quizattempt", "Can view quiz attempt"),),
    "quizanswer": (
        ("view_quizanswer", "Can view quiz answer"),
        ("mark_quizanswer", "Can mark quiz answers"),
    ),
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
        ("assessments", "0002_quizzes"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
