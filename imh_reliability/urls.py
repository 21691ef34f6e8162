"""Reliability tests for trainees and the signed clip stream (mounted at ``reliability/``)."""

from imh_reliability import views

app_name = "imh_reliability"

urlpatterns = views.urlpatterns
