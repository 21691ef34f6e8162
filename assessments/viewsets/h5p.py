"""Admin for h5p (registers its own hooks)."""
