"""The player frame's own stylesheet: the NHS.UK typeface and room around the activity, on
the player and on the page shown when its link has expired (Chromium checks the computed
style in tests/browser/test_layout_h5p.py)."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.assessments.xapi_helpers import bare_activity

pytestmark = pytest.mark.django_db

STYLESHEET = "imh_assessments/h5p/embed.css"


def _css() -> str:
    path = finders.find(STYLESHEET)
    assert path, STYLESHEET
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _body_rules(css: str) -> str:
    return " ".join(re.findall(r"(?:^|\n)body\s*\{([^}]*)\}", css))


def test_body_is_set_in_the_nhs_typeface_with_padding():
    body = _body_rules(_css())
    assert 'font-family: "Frutiger W01", Arial, sans-serif' in body
    assert re.search(r"padding:\s*(1[6-9]|2\d)px", body)


def test_h5p_themed_widgets_use_the_same_typeface():
    assert '--h5p-theme-font-name: "Frutiger W01", Arial, sans-serif' in _css()


def test_the_expired_link_page_is_styled_too():
    activity = bare_activity()
    response = Client().get(f"/assessments/h5p/{activity.uuid}/embed/?t=forged")
    assert response.status_code == 403
    assert STYLESHEET in response.content.decode()
