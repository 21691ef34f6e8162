"""The reference site's URLs: the project apps, allauth, the Wagtail admin and page serving."""

from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import views
from imh_accounts import views as account_views

urlpatterns = [
    # Every login and password reset goes through allauth (confirmed email address, limits on
    # failed attempts), so these stand in for Wagtail's and Django's own pages at the same
    # addresses, and must come before Wagtail's URLs.
    path("admin/login/", account_views.admin_login),
    re_path(
        r"^admin/password_reset/confirm/", account_views.admin_password_reset, {"confirm": True}
    ),
    re_path(r"^admin/password_reset/", account_views.admin_password_reset),
    path("_util/login/", account_views.site_login),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("imh_accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("organisations/", include("imh_organisations.urls")),
    path("compliance/", include("imh_compliance.urls")),
    path("learning/", include("imh_courses.urls")),
    path("assessments/", include("imh_assessments.urls")),
    path("competencies/", include("imh_competencies.urls")),
    path("xapi/", include("imh_assessments.views.xapi")),
    path("", include("imh_certificates.urls")),
    path("healthz/", views.health, name="health"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    from cms.storage import serve_public_media

    # Public media only: private files live elsewhere, and private/ is refused here as well.
    urlpatterns += static(
        settings.MEDIA_URL, view=serve_public_media, document_root=settings.MEDIA_ROOT
    )

# Wagtail's page serving catches everything else, so it comes last.
urlpatterns += [path("", include(wagtail_urls))]
