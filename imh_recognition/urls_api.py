"""The recognition verification API, mounted at the site root: /api/v1/recognitions/<code>/."""

from imh_recognition.views_register import api_urlpatterns

app_name = "imh_recognition_api"

urlpatterns = api_urlpatterns
