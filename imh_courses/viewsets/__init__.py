"""Wagtail admin viewsets for courses; each module lists its own in ``VIEWSETS``."""
