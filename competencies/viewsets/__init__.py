"""Admin viewsets for competencies."""
