"""Writes for courses, split by concern: learning (enrolment, progress, completion) and
live sessions (booking, waiting list, attendance). Import from the submodules."""
