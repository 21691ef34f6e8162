"""imh_learning.urls: every app's pages at their usual addresses, in one line of a host's URLs."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import resolve, reverse

from imh_accounts import views as account_views

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.learning.host_urls")]


@pytest.mark.parametrize(
    ("name", "address"),
    [
        ("imh_accounts:dashboard", "/accounts/"),
        ("account_login", "/accounts/login/"),
        ("imh_organisations:mine", "/organisations/"),
        ("imh_compliance:home", "/compliance/"),
        ("imh_courses:my_learning", "/learning/"),
        ("imh_competencies:profile", "/competencies/"),
        ("imh_certificates:portfolio", "/certificates/"),
        ("imh_certificates:verify", "/verify/"),
    ],
)
def test_every_app_is_at_its_usual_address(name, address):
    assert reverse(name) == address


def test_the_api_and_xapi_are_mounted():
    assert reverse("imh_certificates:api_certificate", args=["ABC"]) == "/api/v1/certificates/ABC/"
    assert resolve("/xapi/statements").url_name


def test_sign_in_pages_stand_in_for_the_admins_own_when_first():
    # A host that includes imh_learning.urls before admin/ gets the site's sign-in instead of
    # Wagtail's login form, which has no email verification or rate limits.
    assert resolve("/admin/login/").func is account_views.admin_login
    assert resolve("/_util/login/").func is account_views.site_login


@override_settings(LOGIN_URL="account_login")
def test_the_admin_login_sends_people_to_the_site_sign_in(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
