"""Signals courses sends for things higher apps must react to but courses cannot call."""

from __future__ import annotations

from django.dispatch import Signal

# Sent (sender=Booking, booking=...) once a booking that waits for a manager's approval has
# been committed. Organisations listens and emails the trainee's managers.
booking_awaiting_approval = Signal()

# Sent (sender=CourseCompletion, completion=...) after the transaction that created a course
# completion commits, exactly once per completion; the certificate is issued from it.
course_completed = Signal()
