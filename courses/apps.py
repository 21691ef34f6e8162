"""Modular IMH courses: pages, pathways, live sessions, enrolment, progress and completion."""

from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self) -> None:
        from assessments.access import register_attempt_policy
        from assessments.signals import activity_passed
        from courses import signals

        # Enrolled trainees (in progress or completed) may attempt the activities in lessons.
        register_attempt_policy(signals.pages_user_may_attempt)
        activity_passed.connect(
            signals.lessons_complete_on_activity_passed,
            dispatch_uid="courses.lessons_complete_on_activity_passed",
        )
