"""Certificate views, one module per concern."""
