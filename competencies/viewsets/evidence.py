"""Admin for evidence (registers its own hooks)."""
