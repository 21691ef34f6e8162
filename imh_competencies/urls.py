"""Trainee-facing competency pages: profile, evidence, self-assessment, observations."""

from imh_competencies import views

app_name = "imh_competencies"

urlpatterns = views.urlpatterns
