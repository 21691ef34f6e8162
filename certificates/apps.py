"""CPD certificates: issue, PDF rendering, verification, expiry, revocation and portfolio."""

from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = "Certificates"

    def ready(self) -> None:
        from accounts.privacy import register_eraser, register_exporter
        from certificates.selectors import certificate_data_export
        from certificates.services import certificate_data_erase

        register_exporter("certificates", certificate_data_export)
        # Erasure keeps issued certificates so employers can still verify them (see the eraser).
        register_eraser("certificates", certificate_data_erase)
        from certificates.portfolio import portfolio_data_erase, portfolio_data_export

        register_exporter("certificates_external_cpd", portfolio_data_export)
        register_eraser("certificates_external_cpd", portfolio_data_erase)
