"""quizzes views."""

urlpatterns: list = []
