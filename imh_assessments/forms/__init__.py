"""Forms for assessments, one module per concern."""
