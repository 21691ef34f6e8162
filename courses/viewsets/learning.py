"""Admin viewsets for learning."""

VIEWSETS: list = []
