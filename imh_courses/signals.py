"""Signals courses sends for things higher apps must react to but courses cannot call."""

from __future__ import annotations

from django.dispatch import Signal

# Sent (sender=Booking, booking=...) once a booking that waits for a manager's approval has
# been committed. Organisations listens and emails the trainee's managers.
booking_awaiting_approval = Signal()

# Sent (sender=CourseCompletion, completion=...) after the transaction that created a course
# completion commits, exactly once per completion; the certificate is issued from it.
course_completed = Signal()

# Sent (sender=Enrolment, user_id=..., course_id=...) inside the transaction in which an open
# enrolment's first activity is recorded by a bulk update, which sends no ``post_save``.
# Compliance keeps its assignments' "started" in step from it.
enrolment_started = Signal()


# Receivers for signals of the apps below courses (connected in ``CoursesConfig.ready``).


def lessons_complete_on_activity_passed(sender, user, page_ids, **kwargs) -> None:
    from imh_courses.services.learning import lessons_complete_by_activities

    lessons_complete_by_activities(user=user, page_ids=page_ids)


def certificate_issue_on_course_completed(sender, completion, **kwargs) -> None:
    from imh_courses.services.certificates import course_certificate_issue

    course_certificate_issue(completion=completion)
