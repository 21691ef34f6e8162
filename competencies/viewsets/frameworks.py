"""Admin for frameworks (registers its own hooks)."""
