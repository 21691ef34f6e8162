"""Admin viewsets for assessments."""
