"""The reference site's own pages and navigation follow the visitor's language."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory

WELSH = {"HTTP_ACCEPT_LANGUAGE": "cy"}


@pytest.mark.django_db
def test_page_not_found_is_in_welsh(client):
    page = client.get("/no-such-page/", **WELSH).content.decode()

    assert "Heb ddod o hyd i'r dudalen" in page
    assert "Page not found" not in page


@pytest.mark.django_db
def test_navigation_and_footer_are_in_welsh(client):
    client.force_login(UserFactory())

    page = client.get("/no-such-page/", **WELSH).content.decode()

    assert "Fy nysgu" in page
    assert "Allgofnodi" in page
    assert "Dilysu tystysgrif" in page  # a footer link
    assert "My learning" not in page
