"""Views for courses, split by concern; each module has its own ``urlpatterns``."""
