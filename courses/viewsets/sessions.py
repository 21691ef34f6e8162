"""Admin viewsets for sessions."""

VIEWSETS: list = []
