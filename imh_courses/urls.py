"""Course URLs outside the page tree: enrolment, progress, My learning, live sessions."""

from imh_courses.views import learning, sessions

app_name = "imh_courses"

urlpatterns = [*learning.urlpatterns, *sessions.urlpatterns]
