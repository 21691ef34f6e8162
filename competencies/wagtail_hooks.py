"""Wagtail admin for competencies: each viewsets module registers its own hooks."""

from competencies.viewsets import evidence, frameworks  # noqa: F401
