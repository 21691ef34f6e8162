"""Links to named pages that a host site may or may not mount."""

from __future__ import annotations

from imh_core.links import path_for, site_url_for


def test_path_for_a_mounted_page(settings):
    assert path_for("imh_certificates:verify_code", "ABCD-2345") == "/verify/ABCD-2345/"


def test_path_for_a_page_the_host_does_not_mount_is_empty():
    assert path_for("imh_certificates:no_such_page") == ""
    assert path_for("no_such_namespace:page", 1) == ""


def test_site_url_for_makes_the_full_address(settings):
    settings.WAGTAILADMIN_BASE_URL = "https://learning.example.org/"
    assert site_url_for("imh_certificates:verify_code", "ABCD-2345") == (
        "https://learning.example.org/verify/ABCD-2345/"
    )


def test_site_url_for_an_unmounted_page_uses_the_fallback_or_nothing(settings):
    settings.WAGTAILADMIN_BASE_URL = "https://learning.example.org"
    assert site_url_for("nowhere:page", fallback="/") == "https://learning.example.org/"
    assert site_url_for("nowhere:page") == ""
