"""Wagtail admin for competencies: each viewsets module registers its own hooks."""

from imh_competencies.viewsets import evidence, frameworks  # noqa: F401
