"""The site's name in emails, and who issues certificates when nothing else says."""

from __future__ import annotations

import pytest
from wagtail import hooks
from wagtail.models import Site

from imh_certificates.policies import issuer_default
from imh_core.hooks import IMH_CERTIFICATE_ISSUER
from imh_core.site import site_issuer, site_name
from imh_core.wagtail_hooks import wagtail_site_issuer

pytestmark = pytest.mark.django_db


def test_site_name_is_wagtails_setting(settings):
    settings.WAGTAIL_SITE_NAME = "Northshire learning"
    assert site_name() == "Northshire learning"
    del settings.WAGTAIL_SITE_NAME
    assert site_name() == ""


def test_the_issuer_is_the_default_wagtail_sites_name_then_the_setting(settings):
    settings.WAGTAIL_SITE_NAME = "From settings"
    Site.objects.filter(is_default_site=True).update(site_name="Northshire IMH service")
    assert site_issuer() == {"name": "Northshire IMH service", "logo": None}
    Site.objects.filter(is_default_site=True).update(site_name="")
    assert site_issuer() == {"name": "From settings", "logo": None}
    settings.WAGTAIL_SITE_NAME = ""
    assert site_issuer() == {}


def test_a_host_sites_own_answer_comes_before_the_wagtail_site(only_hooks, settings):
    settings.WAGTAIL_SITE_NAME = "From settings"
    settings.IMH_CERTIFICATE_ISSUER_DEFAULT = "The setting"
    Site.objects.update(site_name="")
    # The apps' own answer, at the order imh_core registers it, without the reference site's.
    only_hooks(IMH_CERTIFICATE_ISSUER)
    hooks.register(IMH_CERTIFICATE_ISSUER, wagtail_site_issuer, order=100)
    assert issuer_default()["name"] == "From settings"
    with hooks.register_temporarily(IMH_CERTIFICATE_ISSUER, lambda: {"name": "Host", "logo": None}):
        assert issuer_default()["name"] == "Host"
    settings.WAGTAIL_SITE_NAME = ""
    assert issuer_default()["name"] == "The setting"
