"""Assessment models, one module per concern: placements, quizzes, H5P packages, xAPI."""

from assessments.models.h5p import H5PActivity, H5PActivityCompetency, H5PLibrary
from assessments.models.placements import ActivityPlacement
from assessments.models.quizzes import *  # noqa: F403
from assessments.models.xapi import *  # noqa: F403

__all__ = ["ActivityPlacement", "H5PActivity", "H5PActivityCompetency", "H5PLibrary"]
