"""The apps' settings: one prefix, one table of defaults, every one documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from imh_core.conf import DEFAULTS, imh_setting

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "settings.md"

# Settings of Django, Wagtail and django-allauth that the apps read; anything else the apps
# read is theirs and must start with IMH_.
HOST_SETTINGS = {
    "ALLAUTH_TRUSTED_CLIENT_IP_HEADER",
    "ALLAUTH_TRUSTED_PROXY_COUNT",
    "AUTH_USER_MODEL",
    "LANGUAGE_CODE",
    "LOGIN_REDIRECT_URL",
    "LOGIN_URL",
    "MEDIA_ROOT",
    "STATIC_ROOT",
    "STATIC_URL",
    "STORAGES",
    "WAGTAILADMIN_BASE_URL",
    "WAGTAIL_PAGE_MODEL",
    "WAGTAIL_SITE_NAME",
}


def _app_sources() -> list[tuple[Path, str]]:
    return [
        (path, path.read_text(encoding="utf-8"))
        for path in sorted(ROOT.glob("imh_*/**/*.py"))
        if "migrations" not in path.parts
    ]


def _settings_named_in_code() -> set[str]:
    """Every IMH_ setting the apps name: in a string (``imh_setting("IMH_X")``, a table of
    setting names) or as ``imh_setting("X")`` with the prefix left off."""
    found: set[str] = set()
    for _path, text in _app_sources():
        found.update(re.findall(r"""["'](IMH_[A-Z0-9_]+)["']""", text))
        found.update(
            f"IMH_{name}"
            for name in re.findall(r"""imh_setting\(\s*["']([A-Z0-9_]+)["']""", text)
            if not name.startswith("IMH_")
        )
    return {name for name in found if name != "IMH_"}


def _settings_in_docs_tables() -> set[str]:
    return set(re.findall(r"^\| `(IMH_[A-Z0-9_]+)` \|", DOCS.read_text(encoding="utf-8"), re.M))


def test_every_setting_the_code_names_has_a_default_and_is_documented():
    named = _settings_named_in_code()
    assert "IMH_VERIFY_RATE_LIMIT" in named  # the scan finds them at all
    assert named - set(DEFAULTS) == set(), "add a default in imh_core/conf.py"
    assert named - _settings_in_docs_tables() == set(), "document it in docs/settings.md"


def test_the_docs_list_exactly_the_settings_with_defaults():
    assert _settings_in_docs_tables() == set(DEFAULTS)


def test_settings_are_read_only_through_imh_setting():
    direct = re.compile(r"""settings\.IMH_|getattr\(\s*settings\s*,\s*["']IMH_""")
    offenders = [
        str(path.relative_to(ROOT))
        for path, text in _app_sources()
        if path.name != "conf.py" and direct.search(text)
    ]
    assert offenders == []


def test_the_apps_read_no_unprefixed_setting_of_their_own():
    read = re.compile(
        r"""getattr\(\s*settings\s*,\s*["']([A-Z0-9_]+)["']|settings\.([A-Z][A-Z0-9_]+)"""
    )
    unknown = {
        name
        for _path, text in _app_sources()
        for match in read.finditer(text)
        for name in match.groups()
        if name and not name.startswith("IMH_") and name not in HOST_SETTINGS
    }
    assert unknown == set(), "the apps' own settings start with IMH_"


def test_a_setting_left_out_takes_its_default(settings):
    if hasattr(settings, "IMH_VERIFY_BULK_MAX_ROWS"):
        del settings.IMH_VERIFY_BULK_MAX_ROWS
    assert imh_setting("IMH_VERIFY_BULK_MAX_ROWS") == 1000


def test_the_site_value_wins_and_the_prefix_may_be_left_off(settings):
    settings.IMH_COMPLIANCE_REPORT_RETENTION_DAYS = 30
    assert imh_setting("IMH_COMPLIANCE_REPORT_RETENTION_DAYS") == 30
    assert imh_setting("COMPLIANCE_REPORT_RETENTION_DAYS") == 30


def test_none_set_by_the_site_is_kept(settings):
    settings.IMH_EDUCATORS_GROUP = None
    assert imh_setting("IMH_EDUCATORS_GROUP") is None


def test_changing_a_default_it_returned_leaves_the_default_alone(settings):
    if hasattr(settings, "IMH_COMPETENCIES_RECOMMENDED_PAGE_TYPES"):
        del settings.IMH_COMPETENCIES_RECOMMENDED_PAGE_TYPES
    imh_setting("IMH_COMPETENCIES_RECOMMENDED_PAGE_TYPES").append("imh_courses.lessonpage")
    assert imh_setting("IMH_COMPETENCIES_RECOMMENDED_PAGE_TYPES") == ["imh_courses.coursepage"]


def test_an_unknown_name_is_a_mistake():
    with pytest.raises(KeyError, match="IMH_NO_SUCH_THING"):
        imh_setting("NO_SUCH_THING")
