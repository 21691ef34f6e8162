"""Course models, split by concern: pages, pathways, live sessions and learning records."""

from imh_courses.models.learning import CourseCompletion, Enrolment, LessonProgress, Reflection
from imh_courses.models.pages import CourseIndexPage, CoursePage, LessonPage, ModulePage
from imh_courses.models.pathways import Pathway, PathwayCompletion, PathwayCourse
from imh_courses.models.sessions import Booking, LiveSession, LiveSessionCompetency

__all__ = [
    "Booking",
    "CourseCompletion",
    "CourseIndexPage",
    "CoursePage",
    "Enrolment",
    "LessonPage",
    "LessonProgress",
    "LiveSession",
    "LiveSessionCompetency",
    "ModulePage",
    "Pathway",
    "PathwayCompletion",
    "PathwayCourse",
    "Reflection",
]
