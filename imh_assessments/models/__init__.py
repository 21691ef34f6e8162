"""Assessment models, one module per concern: placements, quizzes, H5P packages, xAPI."""

from imh_assessments.models.h5p import H5PActivity, H5PActivityCompetency, H5PLibrary
from imh_assessments.models.placements import ActivityPlacement
from imh_assessments.models.quizzes import *  # noqa: F403
from imh_assessments.models.xapi import *  # noqa: F403

__all__ = ["ActivityPlacement", "H5PActivity", "H5PActivityCompetency", "H5PLibrary"]
