"""Quizzes: question bank, quizzes, attempts and answers."""
