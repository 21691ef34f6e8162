"""Admin for certificates (registers its own hooks)."""
