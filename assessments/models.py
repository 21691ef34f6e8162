"""Competency frameworks, assessments and evidence (filled by the assessments work)."""
