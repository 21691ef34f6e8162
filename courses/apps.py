"""Modular IMH courses: pages, pathways, live sessions, enrolment, progress and completion."""

from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"
