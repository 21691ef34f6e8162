"""portfolio views."""

urlpatterns: list = []
