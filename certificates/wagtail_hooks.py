"""Wagtail admin for certificates: each viewsets module registers its own hooks."""

from certificates.viewsets import certificates, templates  # noqa: F401
