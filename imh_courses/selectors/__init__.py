"""Reads for courses, split by concern: pages (course outlines), learning (enrolments,
progress, reports) and live sessions. Import from the submodules."""
