"""Views for learning."""

urlpatterns: list = []
