"""Assessment URLs: quizzes and the H5P player. The xAPI resource is mounted at /xapi/."""

from imh_assessments.views import h5p, quizzes

app_name = "imh_assessments"

urlpatterns = [*quizzes.urlpatterns, *h5p.urlpatterns]
