"""Reads for assessments, one module per concern. Courses relies on
``required_activities_outstanding``."""

from imh_assessments.selectors.placements import (
    activities_placed,
    pages_with_required_activities,
    required_activities_outstanding,
)

__all__ = ["activities_placed", "pages_with_required_activities", "required_activities_outstanding"]
