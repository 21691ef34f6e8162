"""downloads views."""

urlpatterns: list = []
