"""Wagtail admin for assessments: each viewsets module registers its own hooks."""

from imh_assessments.viewsets import h5p, quizzes, reliability  # noqa: F401
