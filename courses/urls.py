"""Course URLs outside the page tree: enrolment, progress, My learning, live sessions."""

from courses.views import learning, sessions

app_name = "courses"

urlpatterns = [*learning.urlpatterns, *sessions.urlpatterns]
