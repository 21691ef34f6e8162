"""Content for the host-site install test, run by the host's `manage.py shell`.

What a site owner and their staff would make through the admin and the sign-up pages: the
courses area under the host's home page, a course with one module and one lesson, a
trainee, an employer manager of the trainee's organisation and a superuser, each with a
verified email address. Prints what the test needs (addresses and ids) as one JSON line.
"""

from __future__ import annotations

import json
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from wagtail.models import Site

from imh_courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage
from imh_organisations.models import Membership, OrganisationType
from imh_organisations.services import membership_create_active, organisation_create

PASSWORD = "host-test-password-1"  # noqa: S105 (a throwaway site's test accounts)


def publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def person(email: str, **extra):
    user = get_user_model().objects.create_user(
        username=email.split("@")[0], email=email, password=PASSWORD, **extra
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


home = Site.objects.get(is_default_site=True).root_page.specific
index = publish(home, CourseIndexPage(title="Courses", slug="courses"))
course = publish(
    index,
    CoursePage(
        title="Responsive caregiving",
        slug="responsive-caregiving",
        summary="How babies signal what they need, and how carers notice and respond.",
        cpd_hours=Decimal("1.5"),
        estimated_hours=Decimal("2"),
    ),
)
module = publish(
    course,
    ModulePage(
        title="Reading a baby's cues",
        slug="reading-cues",
        summary="Engagement and disengagement cues.",
    ),
)
lesson = publish(
    module,
    LessonPage(
        title="Engagement cues",
        slug="engagement-cues",
        required=True,
        estimated_minutes=10,
        body=json.dumps(
            [
                {"type": "text", "value": "<p>Babies look, smile and reach to engage.</p>"},
                # An NHS.UK block: its template comes from wagtailnhsukfrontend.
                {"type": "inset_text", "value": {"body": "<p>Notice, wait, respond.</p>"}},
            ]
        ),
    ),
)

trainee = person("trainee@example.org", first_name="Tess", last_name="Trainee")
manager = person("manager@example.org", first_name="Mo", last_name="Manager")
person("admin@example.org", is_staff=True, is_superuser=True)

organisation = organisation_create(
    name="Northshire Nursery", organisation_type=OrganisationType.NURSERY
)
membership_create_active(organisation=organisation, user=manager, role=Membership.Role.MANAGER)
membership_create_active(organisation=organisation, user=trainee, role=Membership.Role.STAFF)

print(
    json.dumps(
        {
            "password": PASSWORD,
            "course_id": course.pk,
            "lesson_id": lesson.pk,
            "course_url": course.get_url(),
            "module_url": module.get_url(),
            "lesson_url": lesson.get_url(),
        }
    )
)
