"""The reference site's page tree (Home > Courses) and the Educators group.

Educators can reach the Wagtail admin, add, edit and publish pages in the courses area
only, and use images and documents in the root collection.
"""

from django.db import migrations

EDUCATORS = "Educators"
PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")
MEDIA_PERMISSIONS = {
    ("wagtailimages", "image"): ("add_image", "change_image", "choose_image"),
    ("wagtaildocs", "document"): ("add_document", "change_document", "choose_document"),
}


def _permission(apps, app_label, model, codename):
    ContentType = apps.get_model("contenttypes.ContentType")
    Permission = apps.get_model("auth.Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename=codename,
        defaults={"name": codename.replace("_", " ").capitalize()},
    )
    return permission


def create_site_structure(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    Collection = apps.get_model("wagtailcore.Collection")
    HomePage = apps.get_model("cms.HomePage")
    CourseIndexPage = apps.get_model("imh_courses.CourseIndexPage")
    Group = apps.get_model("auth.Group")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")

    if HomePage.objects.exists():
        return

    # Replace Wagtail's placeholder welcome page (its Site goes with it).
    page_type = ContentType.objects.get(app_label="wagtailcore", model="page")
    Page.objects.filter(content_type=page_type, depth=2, slug="home").delete()
    root = Page.objects.get(depth=1)
    locale = Locale.objects.order_by("pk").first()

    home_type, _ = ContentType.objects.get_or_create(app_label="cms", model="homepage")
    home = HomePage.objects.create(
        title="Home",
        draft_title="Home",
        slug="home",
        content_type=home_type,
        path=root.path + "0001",
        depth=2,
        numchild=1,
        url_path="/home/",
        locale=locale,
        live=True,
        hero_heading="Infant mental health training",
        hero_text="Online lessons, live sessions and CPD certificates for everyone who works with babies and their families.",
    )
    root.numchild = 1
    root.save(update_fields=["numchild"])
    Site.objects.create(
        hostname="localhost",
        port=80,
        root_page=home,
        is_default_site=True,
        site_name="IMH Learning",
    )

    index_type, _ = ContentType.objects.get_or_create(
        app_label="imh_courses", model="courseindexpage"
    )
    courses = CourseIndexPage.objects.create(
        title="Courses",
        draft_title="Courses",
        slug="courses",
        content_type=index_type,
        path=home.path + "0001",
        depth=3,
        numchild=0,
        url_path="/home/courses/",
        locale=locale,
        live=True,
    )

    educators, _ = Group.objects.get_or_create(name=EDUCATORS)
    educators.permissions.add(_permission(apps, "wagtailadmin", "admin", "access_admin"))
    for codename in PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=educators,
            page_id=courses.pk,
            permission=_permission(apps, "wagtailcore", "page", codename),
        )
    root_collection = Collection.objects.get(depth=1)
    for (app_label, model), codenames in MEDIA_PERMISSIONS.items():
        for codename in codenames:
            GroupCollectionPermission.objects.get_or_create(
                group=educators,
                collection=root_collection,
                permission=_permission(apps, app_label, model, codename),
            )


def remove_site_structure(apps, schema_editor):
    apps.get_model("auth.Group").objects.filter(name=EDUCATORS).delete()
    apps.get_model("imh_courses.CourseIndexPage").objects.filter(slug="courses", depth=3).delete()
    apps.get_model("cms.HomePage").objects.filter(slug="home", depth=2).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("imh_courses", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(create_site_structure, remove_site_structure)]
