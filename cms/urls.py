"""The reference site's URLs: the apps (imh_learning.urls), the Wagtail admin and page serving."""

from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import views

urlpatterns = [
    # The apps' pages, as any host site includes them; first, because their sign-in pages
    # stand in for the admin's own (see imh_learning.urls).
    path("", include("imh_learning.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("healthz/", views.health, name="health"),
    # Django's set_language view, for the language switcher in the site's header.
    path("i18n/", include("django.conf.urls.i18n")),
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
