"""Certificate URLs: public verification (/verify/, /api/v1/certificates/), downloads and the
CPD portfolio (/certificates/)."""

from imh_certificates.views import downloads, portfolio, verification

app_name = "imh_certificates"

urlpatterns = [*verification.urlpatterns, *downloads.urlpatterns, *portfolio.urlpatterns]
