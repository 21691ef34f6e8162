"""Assessment views, one module per concern (quizzes, H5P player, xAPI)."""
