"""Site-wide behaviour: error pages, security headers, health check, settings."""

from __future__ import annotations

import pytest
from django.template.loader import get_template
from django.test import Client

from cms.models import SiteSettings


@pytest.mark.django_db
def test_unknown_url_gets_the_sites_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "nhsuk-header" in response.content.decode()


def test_500_page_renders_without_a_request_or_database():
    html = get_template("500.html").render({})
    assert "Sorry, there is a problem with the service" in html


@pytest.mark.django_db
def test_post_without_csrf_token_is_refused_with_a_clear_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": "a@example.org", "password": "x"})
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()


@pytest.mark.django_db
def test_security_headers_and_content_security_policy(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.django_db
def test_page_has_no_inline_script_without_nonce(client):
    html = client.get("/").content.decode()
    for chunk in html.split("<script")[1:]:
        tag = chunk.split(">", 1)[0]
        assert "src=" in tag or "nonce=" in tag, tag


@pytest.mark.django_db
def test_health_check(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_site_settings_name_and_support_email_show_on_pages(client):
    from wagtail.models import Site

    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.platform_name = "Northshire IMH Academy"
    settings.support_email = "imh-help@example.org"
    settings.save()
    html = client.get("/").content.decode()
    assert "Northshire IMH Academy" in html
    assert "mailto:imh-help@example.org" in html


@pytest.mark.django_db
def test_home_page_query_count_is_small(client, django_assert_max_num_queries):
    client.get("/")
    with django_assert_max_num_queries(6):
        client.get("/")


@pytest.mark.django_db
def test_only_the_wagtail_admin_allows_inline_scripts(client):
    public = client.get("/").headers["Content-Security-Policy"]
    admin = client.get("/admin/login/").headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in public
    assert "script-src 'self' 'unsafe-inline'" in admin
    assert "object-src 'none'" in admin


@pytest.mark.django_db
def test_the_layout_costs_no_queries_once_cached_and_follows_settings_changes(
    client, django_assert_num_queries
):
    from django.template import Context, Template
    from django.test import RequestFactory
    from wagtail.models import Site

    from cms.context_processors import site_chrome

    def render():
        request = RequestFactory().get("/")
        chrome = site_chrome(request)["site_chrome"]
        return Template("{{ c.platform_name }} {{ c.support_email }}").render(
            Context({"c": chrome})
        )

    render()
    with django_assert_num_queries(0):
        render()
    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.platform_name = "Renamed Academy"
    settings.save()
    assert "Renamed Academy" in render()
