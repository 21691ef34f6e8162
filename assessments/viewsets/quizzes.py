"""Admin for quizzes (registers its own hooks)."""
