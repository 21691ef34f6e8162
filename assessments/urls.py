"""Assessment URLs: quizzes and the H5P player. The xAPI resource is mounted at /xapi/."""

from assessments.views import h5p, quizzes

app_name = "assessments"

urlpatterns = [*quizzes.urlpatterns, *h5p.urlpatterns]
