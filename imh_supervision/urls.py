"""Reflective supervision pages (/supervision/)."""

from django.urls import path

from imh_supervision import views

app_name = "imh_supervision"

urlpatterns = [
    path("", views.home, name="home"),
    path("sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/confirm/", views.session_confirm, name="session_confirm"),
    path("sessions/<int:pk>/dispute/", views.session_dispute, name="session_dispute"),
    path("sessions/<int:pk>/reflection/", views.session_reflection, name="session_reflection"),
    path("sessions/<int:pk>/delete/", views.session_delete, name="session_delete"),
    path("organisations/<int:pk>/", views.manage, name="manage"),
    path("organisations/<int:pk>/hours.csv", views.manage_csv, name="manage_csv"),
    path("organisations/<int:pk>/pairs/<int:pair_pk>/end/", views.pair_end, name="pair_end"),
]
