"""Framework import and export: round trips, Moodle's CSV, and every kind of bad file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from imh_competencies.frameworks_io import (
    FrameworkImportError,
    framework_export,
    framework_import,
    framework_import_sample,
    importing,
)
from imh_competencies.frameworks_io.moodle_format import html_to_text
from imh_competencies.models import Area, Competency, Crosswalk, Framework
from tests.competencies.factories import (
    AreaFactory,
    CompetencyFactory,
    CrosswalkFactory,
    FrameworkFactory,
)

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
MOODLE_FIXTURE = DATA / "moodle-framework-export.csv"


def counts() -> tuple[int, int, int, int]:
    return (
        Framework.objects.count(),
        Area.objects.count(),
        Competency.objects.count(),
        Crosswalk.objects.count(),
    )


def refused(content: bytes | str, filename: str = "framework.csv", **kwargs) -> list[str]:
    """Import that must fail: returns the messages and checks nothing was written."""
    before = counts()
    with pytest.raises(FrameworkImportError) as caught:
        framework_import(file=content, filename=filename, **kwargs)
    assert counts() == before
    return caught.value.messages


def snapshot(framework: Framework) -> dict:
    """Everything that makes a framework what it is, without database ids."""
    areas = [
        (a.code, a.name, a.description, a.extra)
        for a in framework.areas.order_by("sort_order", "code")
    ]
    competencies = sorted(
        (
            c.code,
            c.area.code,
            c.parent.code if c.parent else "",
            c.short_name,
            c.statement,
            c.descriptors,
            dict(c.extra),
        )
        for c in framework.competencies.select_related("area", "parent")
    )
    crosswalks = sorted(
        (x.competency.code, x.related.framework.slug, x.related.code, x.note)
        for x in Crosswalk.objects.filter(competency__framework=framework).select_related(
            "competency", "related__framework"
        )
    )
    return {
        "fields": (
            framework.name,
            framework.version,
            framework.slug,
            framework.publisher,
            framework.licence_note,
            framework.description,
            framework.levels,
            framework.taxonomies,
            framework.is_sample,
            framework.source_id,
        ),
        "areas": areas,
        "competencies": competencies,
        "crosswalks": crosswalks,
    }


def build_framework() -> Framework:
    """Four levels, two areas, nesting two deep, crosswalks inside and to another framework."""
    framework = FrameworkFactory(
        name="Perinatal practice",
        version="2.1",
        slug="perinatal-practice",
        levels=["Informed", "Skilled", "Enhanced", "Specialist"],
        taxonomies=["area", "competency", "indicator"],
        licence_note="Used with permission, for tests.",
        source_id="PP-2",
        extra={"owner": "Test trust"},
    )
    first = AreaFactory(framework=framework, code="A", name="Relationships", sort_order=0)
    second = AreaFactory(framework=framework, code="B", name="Safeguarding, risk", sort_order=1)
    a1 = CompetencyFactory(
        area=first,
        code="A1",
        short_name='Reads "cues"',
        statement="Line one.\nLine two, with a comma.",
        descriptors={"1": "Knows; names", "2": "Does", "4": "Leads \u2013 \u201cquoted\u201d"},
        extra={"source": "interview"},
    )
    a1a = CompetencyFactory(area=first, code="A1.a", parent=a1, short_name="Nested")
    CompetencyFactory(area=first, code="A1.a.i", parent=a1a, short_name="Nested deeper")
    b1 = CompetencyFactory(area=second, code="B1", short_name="Acts on worries")
    CrosswalkFactory(competency=a1, related=b1, note="same idea")
    other = CompetencyFactory(
        area=AreaFactory(framework=FrameworkFactory(slug="other-framework", name="Other")),
        code="X9",
    )
    CrosswalkFactory(competency=b1, related=other)
    return framework


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_then_import_gives_an_equal_framework(fmt):
    framework = build_framework()
    before = snapshot(framework)
    exported = framework_export(framework=framework, format=fmt)
    framework.delete()

    result = framework_import(file=exported, filename=f"perinatal.{fmt}")

    assert result.format == fmt
    assert (result.areas_created, result.competencies_created) == (2, 4)
    assert result.crosswalks_created == 2
    after = snapshot(result.framework)
    if fmt == "csv":
        # Crosswalk notes travel only in JSON.
        before["crosswalks"] = [(*x[:3], "") for x in before["crosswalks"]]
    assert after == before


def test_json_round_trip_keeps_order_and_nesting():
    framework = build_framework()
    exported = framework_export(framework=framework, format="json")
    framework.delete()
    imported = framework_import(file=exported, filename="f.json").framework
    codes = list(imported.competencies.order_by("sort_order").values_list("code", flat=True))
    assert codes == ["A1", "A1.a", "A1.a.i", "B1"]
    nested = Competency.objects.get(framework=imported, code="A1.a.i")
    assert nested.parent.code == "A1.a"
    assert nested.parent.parent.code == "A1"
    assert nested.area.code == "A"


def test_crosswalk_to_a_framework_not_here_waits_then_is_made():
    framework = build_framework()
    exported = framework_export(framework=framework, format="json")
    other_export = framework_export(
        framework=Framework.objects.get(slug="other-framework"), format="json"
    )
    Framework.objects.all().delete()

    result = framework_import(file=exported, filename="f.json")

    assert result.pending_crosswalks == 1
    assert any('"X9" in "Other 1.0"' in warning for warning in result.warnings)
    b1 = Competency.objects.get(framework=result.framework, code="B1")
    assert b1.extra["pending_crosswalks"][0]["code"] == "X9"
    # The pending link is still exported, so nothing is lost meanwhile.
    again = json.loads(framework_export(framework=result.framework, format="json"))
    assert {"framework": "other-framework", "code": "X9"}.items() <= (
        next(c for c in again["competencies"] if c["code"] == "B1")["crosswalks"][0].items()
    )

    later = framework_import(file=other_export, filename="other.json")

    assert later.crosswalks_created == 1
    b1.refresh_from_db()
    assert "pending_crosswalks" not in b1.extra
    assert b1.crosswalk_links.get().related.code == "X9"


def test_moodle_export_is_accepted_as_is():
    external = CompetencyFactory(
        code="EXT-7", area=AreaFactory(framework=FrameworkFactory(slug="nes"))
    )
    raw = MOODLE_FIXTURE.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")

    result = framework_import(file=raw, filename="moodle-framework-export.csv")

    framework = result.framework
    assert result.format == "moodle"
    assert framework.name == "Perinatal and infant mental health"
    assert framework.source_id == "PIMH-2023"
    assert framework.taxonomies == ["domain", "competency", "competency", "competency"]
    assert framework.levels == ["Level 1", "Level 2", "Level 3"]
    assert framework.description == (
        "Competencies for staff who work with parents and babies from pregnancy to age two."
    )
    assert list(framework.areas.values_list("code", flat=True)) == ["D1", "D2"]
    assert (result.areas_created, result.competencies_created) == (2, 7)

    get = {c.code: c for c in framework.competencies.select_related("area", "parent")}
    assert get["D1.1"].area.code == "D1"
    assert get["D1.1"].parent is None
    assert get["D1.1.1"].parent == get["D1.1"]
    assert get["D1.1.1.1"].parent == get["D1.1.1"]
    assert get["D1.1.1.1"].area.code == "D1"
    assert get["D2.2.1"].parent == get["D2.2"]

    # HTML is stored as plain text; scripts do not survive.
    assert get["D1.1.1"].statement == (
        'Describes "serve and return" interaction & why it matters.\n\n- Gives an example\n'
        "- Models it with a parent"
    )
    assert "alert" not in get["D2.1"].statement
    assert "<" not in "".join(c.statement for c in get.values())

    # Cross references: one crosswalk per pair inside the file, and one to a framework here.
    inside = Crosswalk.objects.filter(competency__framework=framework, related__framework=framework)
    assert inside.count() == 1
    assert {inside.get().competency.code, inside.get().related.code} == {"D1.1", "D2.1"}
    assert get["D1.2"].crosswalk_links.get().related == external

    # Moodle-only columns are kept for a Moodle export.
    assert get["D1.1"].extra["moodle"]["ruletype"] == "core_competency\\competency_rule_all"
    assert get["D1.1"].extra["moodle"]["exportid"] == "102"
    assert framework.extra["moodle"]["scale_values"] == "Not yet competent,Competent"


def test_moodle_export_reproduces_what_moodle_gave():
    framework = framework_import(file=MOODLE_FIXTURE.read_bytes(), filename="moodle.csv").framework

    exported = framework_export(framework=framework, format="moodle").decode("utf-8")

    rows = list(csv.reader(io.StringIO(exported)))
    original = list(csv.reader(io.StringIO(MOODLE_FIXTURE.read_text(encoding="utf-8-sig"))))
    assert len(rows[0]) == 14
    assert rows[1][1:7] == original[1][1:7]
    assert rows[1][12:] == ["1", "domain,competency,competency,competency"]
    by_id = {row[1]: row for row in rows[2:]}
    for row in original[2:]:
        ours = by_id[row[1]]
        # Parent, id, name, HTML description, format, scale, rules and exported id.
        assert ours[:10] == row[:10], row[1]
        assert ours[11] == row[11]
    assert by_id["D1.1"][10] == "D2.1"
    assert by_id["D2.1"][10] == "D1.1"
    assert by_id["D1.2"][10] == "EXT-7"


def test_moodle_cross_reference_matching_nothing_is_reported_and_kept():
    result = framework_import(file=MOODLE_FIXTURE.read_bytes(), filename="moodle.csv")
    assert result.warnings == [
        'Row 7: the cross-reference "EXT-7" matches no competency here, so no crosswalk was '
        "made for it."
    ]
    d12 = Competency.objects.get(framework=result.framework, code="D1.2")
    assert d12.extra["moodle"]["unmatched_related"] == ["EXT-7"]
    assert not d12.crosswalk_links.exists()


def test_moodle_export_imports_again_with_the_same_tree():
    framework = build_framework()
    before = snapshot(framework)
    exported = framework_export(framework=framework, format="moodle")
    Framework.objects.filter(pk=framework.pk).delete()

    result = framework_import(file=exported, filename="fw.csv")

    assert result.format == "moodle"
    after = snapshot(result.framework)
    assert after["areas"][0][:2] == before["areas"][0][:2]
    assert [c[:4] for c in after["competencies"]] == [c[:4] for c in before["competencies"]]


def test_sample_framework_is_marked_and_has_seven_areas_and_three_levels():
    framework = framework_import_sample()

    assert framework.is_sample
    assert framework.name.endswith("(sample)")
    assert "not the AiMH UK" in framework.licence_note
    assert "import the real framework" in framework.licence_note
    assert framework.levels == ["Level 1", "Level 2", "Level 3"]
    assert framework.areas.count() == 7
    for area in framework.areas.all():
        assert 2 <= area.competencies.count() <= 4, area
    for competency in framework.competencies.all():
        assert set(competency.descriptors) == {"1", "2", "3"}
        assert all(competency.descriptors.values())


def test_sample_import_is_idempotent():
    first = framework_import_sample()
    before = counts()
    assert framework_import_sample() == first
    assert counts() == before


def test_html_to_text():
    assert html_to_text("<p>A &amp; B</p><p>C<br>D</p>") == "A & B\n\nC\nD"
    assert html_to_text("<style>p{}</style>Plain") == "Plain"
    assert html_to_text("No tags") == "No tags"


# --------------------------------------------------------------------------------------------
# Bad input: each case says what and where, and writes nothing
# --------------------------------------------------------------------------------------------

HEADER = "Type,Code,Name,Area,Parent,Description,Levels,Level 1,Level 2,Level 3,Crosswalks\n"
FRAMEWORK_ROW = "framework,,Test framework,,,,,,,,\n"


def our_csv(*rows: str, header: str = HEADER, framework_row: str = FRAMEWORK_ROW) -> str:
    return header + framework_row + "".join(row + "\n" for row in rows)


def test_a_good_csv_imports():
    content = our_csv(
        "area,A,Area A,,,,,,,,",
        "competency,A1,First,A,,Does things,,one,two,three,",
        "competency,A1.1,Nested,,A1,,,,,,A1",
    )
    result = framework_import(file=content, filename="f.csv")
    assert (result.areas_created, result.competencies_created) == (1, 2)
    assert Competency.objects.get(code="A1.1").area.code == "A"


def test_parent_that_is_not_in_the_file():
    messages = refused(
        our_csv(
            "area,A,Area A,,,,,,,,",
            "competency,A1,First,A,,,,,,,",
            "competency,A2,Second,,A9,,,,,,",
        )
    )
    assert messages == [
        'Row 5, column "Parent": "A9" does not match any competency code in the file.'
    ]


def test_moodle_parent_that_is_not_in_the_file():
    text = MOODLE_FIXTURE.read_text(encoding="utf-8-sig").replace("D2.2,D2.2.1,", "A9,D2.2.1,")
    messages = refused(text.encode("utf-8"), filename="moodle.csv")
    assert (
        'Row 11, column "Parent id number": "A9" does not match any Id number in the file.'
        in messages
    )


def test_duplicate_codes():
    messages = refused(
        our_csv(
            "area,A,Area A,,,,,,,,",
            "area,A,Area again,,,,,,,,",
            "competency,A1,First,A,,,,,,,",
            "competency,A1,Second,A,,,,,,,",
        )
    )
    assert messages == [
        'Row 4, column "Code": Code "A" is already used on row 3.',
        'Row 6, column "Code": Code "A1" is already used on row 5.',
    ]


def test_missing_required_columns_are_named():
    messages = refused("Type,Label\nframework,Test\n")
    assert messages == [
        'Row 1: The file has no "Code", "Name" columns. Required columns: Type, Code, Name.'
    ]


def test_semicolon_separated_file_gets_a_hint():
    (message,) = refused("Type;Code;Name\nframework;;Test\n")
    assert message.endswith(
        "separated by semicolons: save the file as CSV UTF-8 (comma separated)."
    )


def test_moodle_missing_columns_are_named():
    messages = refused(b"Parent id number,Shortname,Is framework\n,Test,1\n", filename="m.csv")
    assert messages == ['Row 1: The Moodle file has no "Id number" column.']


def test_unknown_level_number():
    header = HEADER.replace("Crosswalks", "Level 5,Crosswalks")
    messages = refused(
        our_csv(
            "area,A,Area A,,,,,,,,,",
            "competency,A1,First,A,,,,a,b,c,e,",
            header=header,
            framework_row="framework,,Test framework,,,,,,,,,\n",
        )
    )
    assert messages == [
        'Row 4, column "Level 5": there is no level "5": the framework has 3 levels (1 to 3).'
    ]


def test_any_number_of_levels():
    header = HEADER.replace("Crosswalks", "Level 4,Crosswalks")
    result = framework_import(
        file=our_csv(
            "area,A,Area A,,,,,,,,,",
            "competency,A1,First,A,,,,i,s,e,sp,",
            header=header,
            framework_row="framework,,NES style,,,,Informed|Skilled|Enhanced|Specialist,,,,,\n",
        ),
        filename="nes.csv",
    )
    assert result.framework.levels == ["Informed", "Skilled", "Enhanced", "Specialist"]
    assert Competency.objects.get(code="A1").descriptors == {
        "1": "i",
        "2": "s",
        "3": "e",
        "4": "sp",
    }


def test_cycle_in_parent_links():
    messages = refused(
        our_csv(
            "area,A,Area A,,,,,,,,",
            "competency,C1,One,,C2,,,,,,",
            "competency,C2,Two,,C1,,,,,,",
        )
    )
    assert messages == [
        'Row 4, column "Parent": the parent links go round in a circle (C1 → C2 → C1).'
    ]


def test_empty_file():
    assert refused(b"") == ["The file is empty."]
    assert refused(b"   \n") == ["The file is empty."]


def test_header_only():
    assert refused(HEADER) == ["The file has a header row but no framework in it."]


def test_not_utf8():
    content = our_csv("area,A,Caf\xe9,,,,,,,,").encode("latin-1")
    (message,) = refused(content)
    assert message.startswith("The file is not UTF-8 text")


def test_wrong_file_type():
    (message,) = refused(b"PK\x03\x04 spreadsheet bytes", filename="framework.xlsx")
    assert message == (
        '"framework.xlsx" is not a CSV or JSON file. Spreadsheets must be saved as '
        '"CSV UTF-8" first.'
    )


def test_invalid_json():
    (message,) = refused(b'{"framework": ', filename="f.json")
    assert message.startswith("The file is not valid JSON (line 1")


def test_same_name_and_version_is_refused():
    FrameworkFactory(name="Test framework", version="")
    messages = refused(our_csv("area,A,Area A,,,,,,,,"))
    assert messages == [
        'Row 2: a framework called "Test framework" is already here. Delete it first, or give '
        "the file a different name or version."
    ]


def test_too_large(monkeypatch):
    monkeypatch.setattr(importing, "MAX_FILE_BYTES", 100)
    (message,) = refused(our_csv(*["area,A,Area A,,,,,,,,"] * 10))
    assert message.startswith("The file is larger than")


def test_every_problem_is_reported_at_once():
    messages = refused(
        our_csv(
            "area,,No code,,,,,,,,",
            "competency,A1,,A,,,,,,,",
            "competency,A2,Two,Z,,,,,,,",
            "widget,W,Odd,,,,,,,,",
            "competency,A3,Three,A,,,,,,,NOPE",
        )
    )
    assert messages == [
        'Row 3, column "Code": give the area a code.',
        'Row 4, column "Name": give the competency a name.',
        'Row 4, column "Area": "A" does not match any area code in the file.',
        'Row 5, column "Area": "Z" does not match any area code in the file.',
        'Row 6, column "Type": "widget" is not a row type: use framework, area or competency.',
        'Row 7, column "Area": "A" does not match any area code in the file.',
        'Row 7, column "Crosswalks": "NOPE" does not match any competency code in the file.',
    ]


def test_crosswalk_to_missing_code_in_a_framework_here():
    FrameworkFactory(slug="nes")
    messages = refused(
        our_csv("area,A,Area A,,,,,,,,", "competency,A1,One,A,,,,,,,nes:Q1"),
    )
    assert len(messages) == 1
    assert messages[0].startswith('Row 4, column "Crosswalks": the framework "')
    assert messages[0].endswith('has no competency "Q1".')


def test_json_unknown_level_and_parent():
    data = {
        "framework": {"name": "J", "levels": ["One", "Two"]},
        "areas": [{"code": "A", "name": "Area"}],
        "competencies": [
            {"code": "C1", "area": "A", "short_name": "C", "descriptors": {"3": "x"}},
            {"code": "C2", "parent": "C9", "short_name": "D"},
        ],
    }
    messages = refused(json.dumps(data), filename="f.json")
    assert messages == [
        'Competency 1, column "descriptors": there is no level "3": the framework has 2 levels '
        "(1 to 2).",
        'Competency 2, column "parent": "C9" does not match any competency code in the file.',
    ]


def test_format_given_explicitly_must_be_known():
    assert refused(our_csv(), format="xml") == ['"xml" is not a format: use json, csv, moodle.']


def test_deeply_nested_json_is_refused_with_a_message():
    (message,) = refused(b"[" * 100_000, filename="f.json")
    assert message == "The file is not a framework: its JSON is nested more than 64 levels deep."


def test_csv_export_quotes_formula_like_text_and_imports_it_back_unchanged():
    framework = build_framework()
    competency = framework.areas.get(code="A").competencies.get(code="A1")
    competency.short_name = '=HYPERLINK("http://evil.example","cues")'
    competency.descriptors = {"1": "+1 visit", "2": "-", "4": "@home"}
    competency.save()
    before = snapshot(framework)

    exported = framework_export(framework=framework, format="csv")
    cells = [c for row in csv.reader(io.StringIO(exported.decode("utf-8-sig"))) for c in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]
    assert '\'=HYPERLINK("http://evil.example","cues")' in cells

    framework.delete()
    after = snapshot(framework_import(file=exported, filename="f.csv").framework)
    before["crosswalks"] = [(*x[:3], "") for x in before["crosswalks"]]
    assert after == before
