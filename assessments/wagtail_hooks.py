"""Wagtail admin for assessments: each viewsets module registers its own hooks."""

from assessments.viewsets import h5p, quizzes  # noqa: F401
