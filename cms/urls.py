"""The reference site's URLs: the project apps, allauth, the Wagtail admin and page serving."""

from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import views

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("organisations/", include("organisations.urls")),
    path("compliance/", include("compliance.urls")),
    path("learning/", include("courses.urls")),
    path("assessments/", include("assessments.urls")),
    path("competencies/", include("competencies.urls")),
    path("xapi/", include("assessments.views.xapi")),
    path("", include("certificates.urls")),
    path("healthz/", views.health, name="health"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page serving catches everything else, so it comes last.
urlpatterns += [path("", include(wagtail_urls))]
