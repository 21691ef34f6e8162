"""Views for sessions."""

urlpatterns: list = []
