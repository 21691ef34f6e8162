"""Practitioner pages for recognition applications, mounted at /recognition/."""

from __future__ import annotations

from django.urls import path

from imh_recognition import views, views_register

app_name = "imh_recognition"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("apply/<int:scheme_pk>/", views.application_start, name="application_start"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path(
        "applications/<int:pk>/withdraw/",
        views.application_withdraw,
        name="application_withdraw",
    ),
    # The public register, verification and the person's own recognition.
    *views_register.urlpatterns,
]
