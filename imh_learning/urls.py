"""Every IMH Learning page at its usual address, for a host site to include in one line.

The host puts ``path("", include("imh_learning.urls"))`` first in its ``urlpatterns``: the
sign-in pages below stand in for the Wagtail admin's own at the same addresses, so they
must come before ``admin/``, and everything here must come before Wagtail's page serving,
which answers every other path.
"""

from __future__ import annotations

from django.urls import include, path, re_path

from imh_accounts import views as account_views

urlpatterns = [
    # Every login and password reset goes through allauth (confirmed email address, limits on
    # failed attempts), so these replace Wagtail's and Django's own pages at the same
    # addresses.
    path("admin/login/", account_views.admin_login),
    re_path(
        r"^admin/password_reset/confirm/", account_views.admin_password_reset, {"confirm": True}
    ),
    re_path(r"^admin/password_reset/", account_views.admin_password_reset),
    path("_util/login/", account_views.site_login),
    path("accounts/", include("imh_accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("organisations/", include("imh_organisations.urls")),
    path("compliance/", include("imh_compliance.urls")),
    path("learning/", include("imh_courses.urls")),
    path("assessments/", include("imh_assessments.urls")),
    path("competencies/", include("imh_competencies.urls")),
    path("supervision/", include("imh_supervision.urls")),
    path("recognition/", include("imh_recognition.urls")),
    path("reliability/", include("imh_reliability.urls")),
    path("", include("imh_recognition.urls_api")),  # /api/v1/recognitions/
    path("xapi/", include("imh_assessments.views.xapi")),
    # /verify/, /api/v1/certificates/ and /certificates/.
    path("", include("imh_certificates.urls")),
]
