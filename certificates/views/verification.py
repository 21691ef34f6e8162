"""verification views."""

urlpatterns: list = []
