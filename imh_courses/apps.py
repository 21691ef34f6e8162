"""Modular IMH courses: pages, pathways, live sessions, enrolment, progress and completion."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "imh_courses"
    default_auto_field = "django.db.models.BigAutoField"
    # What the educators' group may do here (granted after migrate; see imh_core.roles).
    educator_permissions = (
        "add_livesession",
        "change_livesession",
        "view_livesession",
        "view_booking",
    )
    verbose_name = _("Courses")

    def ready(self) -> None:
        from imh_assessments.signals import activity_passed
        from imh_courses import signals
        from imh_courses.models import CourseCompletion

        activity_passed.connect(
            signals.lessons_complete_on_activity_passed,
            dispatch_uid="imh_courses.lessons_complete_on_activity_passed",
        )
        # Each course completion gets its certificate once the completion has committed.
        signals.course_completed.connect(
            signals.certificate_issue_on_course_completed,
            sender=CourseCompletion,
            dispatch_uid="imh_courses.certificate_issue_on_course_completed",
        )
