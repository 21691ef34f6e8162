"""The xAPI statement resource at /xapi/statements."""

app_name = "xapi"

urlpatterns: list = []
