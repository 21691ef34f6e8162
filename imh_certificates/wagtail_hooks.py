"""Wagtail admin for certificates: each viewsets module registers its own hooks."""

from imh_certificates.viewsets import certificates, templates  # noqa: F401
