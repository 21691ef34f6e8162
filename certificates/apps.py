"""CPD certificates: issue, PDF rendering, verification, expiry, revocation and portfolio."""

from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = "Certificates"
