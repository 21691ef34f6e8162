"""The shared export mixin, and a check that every admin listing with downloads uses it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from wagtail.admin.views.mixins import SpreadsheetExportMixin

from imh_core.spreadsheets import SpreadsheetSafeExportMixin
from tests.spreadsheets import RISKY_IDS, RISKY_VALUES

PROJECT_APPS = (
    "imh_accounts",
    "imh_assessments",
    "imh_certificates",
    "cms",
    "imh_competencies",
    "imh_compliance",
    "imh_core",
    "imh_courses",
    "imh_organisations",
)


class _Export(SpreadsheetSafeExportMixin, SpreadsheetExportMixin):
    list_export = ["name"]
    export_headings = {"name": "=Name"}


@pytest.mark.parametrize("value", RISKY_VALUES, ids=RISKY_IDS)
@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_text_that_starts_a_formula_is_quoted(value, export_format):
    assert _Export().preprocess_field_value("name", value, export_format) == f"'{value}"


@pytest.mark.parametrize(
    "value",
    [-3, Decimal("-1.5"), 2.5, True, None, datetime.date(2025, 1, 2)],
)
def test_numbers_dates_and_empty_cells_stay_values(value):
    assert _Export().preprocess_field_value("name", value, "csv") == value


def test_ordinary_text_and_model_objects_are_unchanged():
    class Thing:
        def __str__(self):
            return "Riverside Nursery"

    assert _Export().preprocess_field_value("name", "a=b", "csv") == "a=b"
    assert _Export().preprocess_field_value("name", Thing(), "xlsx") == "Riverside Nursery"


def test_headings_are_quoted_too():
    assert _Export().get_heading(None, "name") == "'=Name"


def _admin_views(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _admin_views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def _exports_of_the_project():
    """Each URL whose view offers a download of project data: (route, view class)."""
    for route, callback in _admin_views(get_resolver().url_patterns):
        view_class = getattr(callback, "view_class", None)
        if not (view_class and issubclass(view_class, SpreadsheetExportMixin)):
            continue
        initkwargs = getattr(callback, "view_initkwargs", {})
        # A viewset hands its list_export to the view; a project view declares its own.
        from_a_viewset = bool(initkwargs.get("list_export"))
        project_view = view_class.__module__.split(".")[0] in PROJECT_APPS
        if from_a_viewset or (project_view and view_class.list_export):
            yield route, view_class


def test_every_project_export_uses_the_safe_mixin():
    exports = dict(_exports_of_the_project())
    # The ones this project has now: a new export is checked as soon as it has a URL.
    assert {
        "admin/compliance/access-log/",
        "admin/enrolments/",
        "admin/course-report/",
        "admin/live-session-bookings/",
        "admin/organisations/",
        "admin/organisation-memberships/",
        "admin/quiz_attempts/",
    } <= set(exports)
    unsafe = [
        route
        for route, view_class in exports.items()
        if not issubclass(view_class, SpreadsheetSafeExportMixin)
    ]
    assert unsafe == []
