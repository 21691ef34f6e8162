"""The courses area's page tree, declared on both sides."""

from __future__ import annotations

from wagtail.test.utils import WagtailPageTestCase

from cms.models import HomePage, StandardPage
from imh_courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage


class CoursePageTreeTests(WagtailPageTestCase):
    def test_index_holds_courses_only(self):
        self.assertAllowedSubpageTypes(CourseIndexPage, {CoursePage})

    def test_course_holds_modules_only(self):
        self.assertAllowedSubpageTypes(CoursePage, {ModulePage})
        self.assertAllowedParentPageTypes(CoursePage, {CourseIndexPage})

    def test_module_holds_lessons_only(self):
        self.assertAllowedSubpageTypes(ModulePage, {LessonPage})
        self.assertAllowedParentPageTypes(ModulePage, {CoursePage})

    def test_lesson_is_a_leaf_under_a_module(self):
        self.assertAllowedSubpageTypes(LessonPage, set())
        self.assertAllowedParentPageTypes(LessonPage, {ModulePage})

    def test_courses_cannot_live_elsewhere(self):
        self.assertCanNotCreateAt(HomePage, CoursePage)
        self.assertCanNotCreateAt(StandardPage, LessonPage)
        self.assertCanCreateAt(CourseIndexPage, CoursePage)
