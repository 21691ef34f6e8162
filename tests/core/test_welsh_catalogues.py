"""The Welsh catalogues of imh_core, imh_competencies, the recognition, supervision and
reliability apps, and the reference site: complete, and compiled as written."""

from __future__ import annotations

import ast
import datetime
import gettext
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from imh_core.formatting import and_list, datetime_text, hours_text, time_text

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "imh_core",
    "imh_competencies",
    "imh_recognition",
    "imh_supervision",
    "imh_reliability",
    "cms",
]


def _entries(po: Path) -> list[dict]:
    """The messages of a .po file: msgctxt, msgid, msgid_plural, msgstr (a list) and flags."""
    entries: list[dict] = []
    entry: dict = {}
    field = ""
    for line in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if "msgid" in entry:
                entries.append(entry)
            entry, field = {}, ""
        elif line.startswith("#,"):
            entry["flags"] = {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if field.startswith("msgstr"):
                entry["msgstr"][-1] += value
            else:
                entry[field] += value
        else:
            field, _, value = line.partition(" ")
            if field.startswith("msgstr"):
                entry.setdefault("msgstr", []).append(ast.literal_eval(value))
            else:
                entry[field] = ast.literal_eval(value)
    return [entry for entry in entries if entry["msgid"]]  # the header has an empty msgid


@pytest.mark.parametrize("app", APPS)
def test_every_message_has_a_welsh_translation(app):
    po = ROOT / app / "locale" / "cy" / "LC_MESSAGES" / "django.po"
    entries = _entries(po)

    assert entries
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"])]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e.get("flags", set())]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("app", APPS)
def test_the_compiled_catalogue_matches_the_translations(app):
    """A .po edited without running compilemessages would show English (or old Welsh)."""
    folder = ROOT / app / "locale" / "cy" / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    for entry in _entries(folder / "django.po"):
        key = entry["msgid"]
        if "msgctxt" in entry:
            key = f"{entry['msgctxt']}\x04{key}"
        if "msgid_plural" in entry:
            for number, text in enumerate(entry["msgstr"]):
                assert compiled._catalog[(key, number)] == text
        else:
            assert compiled._catalog[key] == entry["msgstr"][0]


@pytest.mark.parametrize("app", APPS)
def test_python_format_placeholders_survive_translation(app):
    """A placeholder lost or misspelt in Welsh would raise, or drop a name, on the page."""
    placeholder = re.compile(r"%\(\w+\)s|\{\w+\}")
    po = ROOT / app / "locale" / "cy" / "LC_MESSAGES" / "django.po"
    for entry in _entries(po):
        wanted = set(placeholder.findall(entry["msgid"] + entry.get("msgid_plural", "")))
        for text in entry["msgstr"]:
            assert set(placeholder.findall(text)) <= wanted, entry["msgid"]


def test_a_message_shared_by_several_apps_reads_the_same_in_each():
    """Django merges the catalogues and the first installed app wins, so two Welsh
    versions of one message would change another app's pages without warning."""
    seen: dict[tuple, dict[str, tuple]] = {}
    for po in sorted(ROOT.glob("*/locale/cy/LC_MESSAGES/django.po")):
        for entry in _entries(po):
            if "fuzzy" in entry.get("flags", set()) or not all(entry["msgstr"]):
                continue
            key = (entry.get("msgctxt"), entry["msgid"])
            seen.setdefault(key, {})[po.parts[-5]] = tuple(entry["msgstr"])

    conflicts = {key: apps for key, apps in seen.items() if len(set(apps.values())) > 1}
    assert conflicts == {}


def test_times_hours_and_lists_read_naturally_in_welsh():
    moment = datetime.datetime(2026, 6, 3, 9, 30, tzinfo=ZoneInfo("Europe/London"))
    with translation.override("cy"):
        assert time_text(moment) == "9:30yb"
        assert time_text(moment.replace(hour=14, minute=0)) == "2yh"
        assert time_text(moment.replace(hour=12, minute=0)) == "canol dydd"
        assert datetime_text(moment) == "3 Mehefin 2026 am 9:30yb"
        assert hours_text("1.5") == "1.5 awr"
        assert hours_text(1) == "1 awr"
        assert and_list(["Cwrs", "Gwers", "Cwis"]) == "Cwrs, Gwers a Cwis"
    with translation.override("en-gb"):  # English is unchanged
        assert datetime_text(moment) == "3 June 2026 at 9:30am"
        assert hours_text(1) == "1 hour"
