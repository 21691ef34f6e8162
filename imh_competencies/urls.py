"""Trainee-facing competency pages: profile, evidence, self-assessment, observations,
learning done elsewhere and the external programme directory."""

from imh_competencies import programme_views, views

app_name = "imh_competencies"

urlpatterns = views.urlpatterns + programme_views.urlpatterns
