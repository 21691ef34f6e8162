"""h5p views."""

urlpatterns: list = []
