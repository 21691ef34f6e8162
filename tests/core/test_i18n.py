"""The trainee journey in Welsh: chosen by the browser or the switcher, with complete catalogues."""

from __future__ import annotations

import ast
import re
import struct
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from imh_certificates import rendering
from imh_courses.services.learning import enrolment_create
from tests.certificates.factories import CertificateFactory
from tests.courses.factories import create_course, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WELSH = {"HTTP_ACCEPT_LANGUAGE": "cy"}
# The apps whose pages make up the trainee journey, each with its own Welsh catalogue.
JOURNEY_APPS = ("imh_courses", "imh_assessments", "imh_certificates", "imh_accounts")
WELSH_PLURALS = "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n==3 ? 3 : n==6 ? 4 : 5);"


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def course():
    return create_course(title="Attunement basics", modules=1, lessons_per_module=2)


@pytest.fixture
def trainee(course):
    user = UserFactory()
    enrolment_create(user=user, course=course)
    return user


# Pages in Welsh when the browser asks for it.


def test_course_page_is_in_welsh_for_a_welsh_browser_and_in_english_otherwise(client, course):
    english = _html(client.get(course.url))
    welsh = _html(client.get(course.url, **WELSH))
    assert "About this course" in english
    assert "Am y cwrs hwn" in welsh
    assert "Amlinelliad o'r cwrs" in welsh
    assert "About this course" not in welsh
    assert '<html lang="cy"' in welsh
    assert '<html lang="en-GB"' in english


def test_course_outline_is_cached_apart_for_each_language(client, course):
    # The outline is a cached fragment: a Welsh visitor after an English one must not get
    # the English words (the lesson lengths are inside it).
    assert "20 minutes" in _html(client.get(course.url))
    welsh = _html(client.get(course.url, **WELSH))
    assert "20 munud" in welsh
    assert "20 minutes" not in welsh


def test_lesson_page_is_in_welsh(client, course, trainee):
    client.force_login(trainee)
    html = _html(client.get(lessons_of(course)[0].url, **WELSH))
    assert "Marcio'n gyflawn" in html
    assert "Gwers 1 o 2 yn" in html
    assert "Mark as complete" not in html


def test_my_learning_is_in_welsh(client, course, trainee):
    client.force_login(trainee)
    html = _html(client.get(reverse("imh_courses:my_learning"), **WELSH))
    assert "<h1>Fy nysgu</h1>" in html
    assert "Attunement basics" in html
    assert "Ar y gweill" in html


def test_sign_in_page_is_in_welsh_including_allauths_own_labels(client):
    html = _html(client.get(reverse("account_login"), **WELSH))
    assert "<h1>Mewngofnodi</h1>" in html
    # allauth ships no Welsh: these come from imh_accounts' catalogue.
    assert "Cyfeiriad e-bost" in html
    assert "Cyfrinair" in html
    assert "Cofio fi ar y ddyfais hon" in html


def test_sign_up_page_is_in_welsh_including_djangos_password_rules(client):
    html = _html(client.get(reverse("account_signup"), **WELSH))
    assert "<h1>Creu cyfrif</h1>" in html
    assert "Cadarnhau&#x27;r cyfrinair" in html  # allauth's "Password (again)", reworded
    # Django's own Welsh leaves its password rules out: imh_accounts' catalogue has them.
    assert "Ni all eich cyfrinair fod yn rhifau i gyd." in html
    assert "entirely numeric" not in html


def test_certificate_verification_page_is_in_welsh(client):
    certificate = CertificateFactory(holder_name="Alex Smith")
    url = reverse("imh_certificates:verify_code", kwargs={"code": certificate.code})
    html = _html(client.get(url, **WELSH))
    assert "Mae'r dystysgrif hon yn ddilys" in html
    assert "Dyfarnwyd i" in html
    assert "Alex Smith" in html


def test_certificate_pdf_stays_in_its_own_language_whoever_renders_it():
    # A certificate is a record made once: a trainee browsing in Welsh who triggers the
    # rendering must not get a document half in Welsh.
    certificate = CertificateFactory()
    with translation.override("cy"):
        html = rendering.certificate_html(certificate=certificate)
    assert "This is to certify that" in html
    assert "Mae hyn i dystio bod" not in html


# The switcher.


def test_switcher_offers_the_other_language_and_remembers_the_choice(client, course, trainee):
    client.force_login(trainee)
    learning = reverse("imh_courses:my_learning")
    english = _html(client.get(learning))
    assert 'name="language" value="cy"' in english
    assert ">Cymraeg<" in english

    response = client.post(
        reverse("set_language"), {"language": "cy"}, HTTP_REFERER=f"http://testserver{learning}"
    )
    assert response.status_code == 302
    assert response["Location"] == f"http://testserver{learning}"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"

    welsh = _html(client.get(learning))  # no Accept-Language: the cookie decides
    assert "<h1>Fy nysgu</h1>" in welsh
    assert 'name="language" value="en-gb"' in welsh
    assert ">English<" in welsh


# The catalogues.


def _po_entries(path: Path) -> list[dict]:
    """The entries of a .po file: msgid, msgid_plural, msgstr(s) and flags, header first."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        entry: dict = {"flags": [], "msgstr": {}}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += [flag.strip() for flag in line[2:].split(",")]
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                value = ast.literal_eval(line)
                if key.startswith("msgstr"):
                    entry["msgstr"][key] += value
                else:
                    entry[key] += value
            else:
                key, _space, literal = line.partition(" ")
                value = ast.literal_eval(literal)
                if key.startswith("msgstr"):
                    entry["msgstr"][key] = value
                else:
                    entry[key] = value
        entries.append(entry)
    return entries


@pytest.mark.parametrize("app", JOURNEY_APPS)
def test_welsh_catalogue_is_complete_compiled_and_has_welsh_plurals(app):
    po = Path(settings.BASE_DIR) / app / "locale" / "cy" / "LC_MESSAGES" / "django.po"
    header, *entries = _po_entries(po)
    assert "fuzzy" not in header["flags"]
    assert f"Plural-Forms: {WELSH_PLURALS}" in header["msgstr"]["msgstr"].replace('"\n"', "")
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    plural_forms = {len(e["msgstr"]) for e in entries if "msgid_plural" in e}
    assert untranslated == []
    assert fuzzy == []
    assert plural_forms <= {6}
    # The compiled catalogue holds every message and the header (a stale .mo would not).
    mo = po.with_suffix(".mo").read_bytes()
    (count,) = struct.unpack("<I", mo[8:12])
    assert count == len(entries) + 1
