"""The demo's certificate: the nursery manager has completed the early years course.

Completing it goes through the real services, so the certificate is issued on completion
and its PDF is made by the task worker that ``make demo`` starts.
"""

from __future__ import annotations

from imh_certificates.models import Certificate
from imh_courses.models import CourseCompletion, CoursePage, LessonPage
from imh_courses.services.learning import enrolment_create, lesson_complete

COURSE_SLUG = "parent-infant-relationships-in-early-years-settings"


def demo_certificate_load(*, holder) -> Certificate | None:
    """Complete the early years course for ``holder`` (once) and return their certificate."""
    course = CoursePage.objects.filter(slug=COURSE_SLUG).first()
    if course is None:
        return None
    if not CourseCompletion.objects.filter(user=holder, course=course).exists():
        enrolment_create(user=holder, course=course)
        for lesson in LessonPage.objects.live().descendant_of(course).order_by("path"):
            lesson_complete(user=holder, lesson=lesson)
    return (
        Certificate.objects.filter(holder=holder, title=course.title)
        .exclude(status=Certificate.Status.SUPERSEDED)
        .first()
    )
