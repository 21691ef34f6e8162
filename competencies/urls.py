"""Trainee-facing competency pages: profile, evidence, self-assessment, observations."""

from competencies import views

app_name = "competencies"

urlpatterns = views.urlpatterns
