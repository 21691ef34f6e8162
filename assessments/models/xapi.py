"""xAPI statements, per-activity results and resume state."""
