"""Admin for templates (registers its own hooks)."""
