"""CPD certificates: issue, PDF rendering, verification, expiry, revocation and portfolio."""

from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "imh_certificates"
    default_auto_field = "django.db.models.BigAutoField"
    # What the educators' group may do here (granted after migrate; see imh_core.roles).
    educator_permissions = (
        "add_certificatetemplate",
        "change_certificatetemplate",
        "view_certificatetemplate",
    )
    verbose_name = "Certificates"

    def ready(self) -> None:
        from imh_accounts.privacy import register_eraser, register_exporter
        from imh_certificates.selectors import certificate_data_export
        from imh_certificates.services import certificate_data_erase

        register_exporter("certificates", certificate_data_export)
        # Erasure keeps issued certificates so employers can still verify them (see the eraser).
        register_eraser("certificates", certificate_data_erase)
        from imh_certificates.portfolio import portfolio_data_erase, portfolio_data_export

        register_exporter("certificates_external_cpd", portfolio_data_export)
        register_eraser("certificates_external_cpd", portfolio_data_erase)
