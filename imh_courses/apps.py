"""Modular IMH courses: pages, pathways, live sessions, enrolment, progress and completion."""

from django.apps import AppConfig


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
    verbose_name = "Courses"

    def ready(self) -> None:
        from imh_accounts.privacy import register_eraser
        from imh_assessments.access import register_attempt_policy
        from imh_assessments.signals import activity_passed
        from imh_certificates.portfolio import register_reflections_source
        from imh_courses import signals
        from imh_courses.models import CourseCompletion
        from imh_courses.privacy import user_data_erase
        from imh_courses.selectors.learning import reflections_for

        # Enrolled trainees (in progress or completed) may attempt the activities in lessons.
        register_attempt_policy(signals.pages_user_may_attempt)
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
        # Deleting an account removes the person's reflections and frees their session places.
        register_eraser("courses", user_data_erase)
        # Lesson reflections show in the certificates app's CPD portfolio.
        register_reflections_source(
            lambda user: [
                {
                    "title": reflection.lesson.title,
                    "prompt": reflection.prompt,
                    "text": reflection.text,
                    "updated_at": reflection.updated_at,
                    "url": reflection.lesson.url,
                }
                for reflection in reflections_for(user=user)
            ]
        )
