"""Admin viewsets for certificates (each module registers its own hooks)."""
