"""Account pages, mounted at /accounts/ beside allauth's own URLs."""

from __future__ import annotations

from django.urls import path

from imh_accounts import views

app_name = "imh_accounts"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("profile/", views.profile, name="profile"),
    path("data/", views.data_export, name="data_export"),
    path("delete/", views.delete, name="delete"),
    path("delete/done/", views.delete_done, name="delete_done"),
    path("privacy/", views.privacy, name="privacy"),
]
