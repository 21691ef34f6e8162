"""Writes for assessments, one module per concern."""
