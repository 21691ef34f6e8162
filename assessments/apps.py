"""Competency frameworks, quizzes, H5P activities with xAPI, observations and evidence."""

from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Competencies and assessments"
