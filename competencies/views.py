"""Competency profile, evidence, self-assessment and observation views."""

urlpatterns: list = []
