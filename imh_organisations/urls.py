"""Members' and managers' pages, mounted at /organisations/ by the host site."""

from django.urls import path

from imh_organisations import views

app_name = "imh_organisations"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("join/", views.join, name="join"),
    path("memberships/<int:pk>/leave/", views.leave, name="leave"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("<int:pk>/manage/", views.manage, name="manage"),
    path("<int:pk>/manage/invite/", views.invite, name="invite"),
    path("<int:pk>/manage/join-code/", views.join_code, name="join_code"),
    path(
        "<int:pk>/manage/join-code/regenerate/",
        views.join_code_regenerate,
        name="join_code_regenerate",
    ),
    path(
        "<int:pk>/manage/members/<int:membership_pk>/approve/",
        views.membership_approve,
        name="membership_approve",
    ),
    path(
        "<int:pk>/manage/members/<int:membership_pk>/decline/",
        views.membership_decline,
        name="membership_decline",
    ),
    path(
        "<int:pk>/manage/members/<int:membership_pk>/role/",
        views.membership_role,
        name="membership_role",
    ),
    path(
        "<int:pk>/manage/members/<int:membership_pk>/supervisor/",
        views.membership_supervisor,
        name="membership_supervisor",
    ),
    path(
        "<int:pk>/manage/members/<int:membership_pk>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
    path(
        "<int:pk>/manage/session-bookings/<int:booking_pk>/approve/",
        views.session_booking_approve,
        name="session_booking_approve",
    ),
    path(
        "<int:pk>/manage/session-bookings/<int:booking_pk>/decline/",
        views.session_booking_decline,
        name="session_booking_decline",
    ),
    path(
        "<int:pk>/manage/invitations/<int:invitation_pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
