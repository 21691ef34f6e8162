"""Reads for assessments, one module per concern. Courses relies on
``required_activities_outstanding``."""

from assessments.selectors.placements import required_activities_outstanding

__all__ = ["required_activities_outstanding"]
