"""The H5P package validator: real packages, and every way a package can be broken."""

from __future__ import annotations

import zipfile

import pytest

from imh_assessments.h5p import validation
from imh_assessments.h5p.validation import H5PLimits, validate_package
from tests.assessments import h5p_builders as b


def messages(data, **kwargs) -> list[str]:
    return validate_package(data, **kwargs).messages


def only(data, **kwargs) -> str:
    found = messages(data, **kwargs)
    assert len(found) == 1, found
    return found[0]


# Real packages -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["true-false.h5p", "drag-text.h5p", "greeting-card.h5p"])
def test_real_packages_are_accepted(name):
    result = validate_package(str(b.fixture(name)))
    assert result.is_valid, result.messages
    assert result.h5p_json["mainLibrary"]
    assert result.main_library_key in result.libraries


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("invalid-corrupt-archive.h5p", "not a ZIP archive"),
        ("invalid-broken-h5p-json.h5p", "h5p.json: the file is not valid JSON"),
        (
            "invalid-missing-preloaded-js.h5p",
            "H5P.GreetingCard-1.0/greetingcard.js: this file is listed in "
            "H5P.GreetingCard-1.0/library.json (preloadedJs) but is missing",
        ),
        (
            "invalid-library-directory-name.h5p",
            "H5P.GreetingCard-1.0/: the folder name does not match its library.json, which "
            "describes H5P.AnotherLibrary 1.0: the folder must be named H5P.AnotherLibrary-1.0",
        ),
    ],
)
def test_invalid_real_packages_are_refused_with_a_clear_reason(name, expected):
    found = messages(str(b.fixture(name)))
    assert any(expected in message for message in found), found


def test_extra_top_level_text_file_is_accepted_but_not_stored():
    result = validate_package(b.build(b.with_files({"H5P_CONTENT_HERE.txt": "x"})))
    assert result.is_valid, result.messages
    assert [e.kind for e in result.entries if e.info.filename == "H5P_CONTENT_HERE.txt"] == [
        "extra"
    ]


def test_minimal_package_is_valid():
    result = validate_package(b.build())
    assert result.is_valid, result.messages
    assert result.used_libraries == {("H5P.Sample", 1, 2), ("H5P.Helper", 2, 0)}
    assert not result.warnings


# Archive ------------------------------------------------------------------------------


def test_not_a_zip():
    assert "not a ZIP archive" in only(b"PK\x03\x04 not really")
    assert "not a ZIP archive" in only(b"")


def test_truncated_zip():
    assert "not a ZIP archive" in only(b.build()[:-40])


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../evil.txt", "climbs out of the package"),
        ("content/../../evil.txt", "climbs out of the package"),
        ("/etc/evil.txt", "absolute paths are not allowed"),
        ("C:/evil.txt", "absolute paths are not allowed"),
        ("content\\evil.txt", "backslashes"),
        ("content/./a.txt", "empty or '.' folder"),
    ],
)
def test_unsafe_paths(name, expected):
    assert f"{name}: " in only(b.build(b.with_files({name: "x"})))
    assert expected in only(b.build(b.with_files({name: "x"})))


def test_symlink_is_refused():
    data = b.build(symlinks=[("content/images/link.png", "/etc/passwd")])
    assert only(data) == "content/images/link.png: symbolic links are not allowed"


@pytest.mark.parametrize(
    "name",
    ["content/shell.php", "content/page.html", f"{b.LIBRARY}/run.exe", "notes.php", "content/x.JS"],
)
def test_file_types_outside_the_whitelist(name):
    message = only(b.build(b.with_files({name: "x"})))
    assert message.startswith(f"{name}: files of type .")
    assert "are not allowed" in message


def test_js_and_css_only_in_libraries():
    assert "in content" in only(b.build(b.with_files({"content/app.js": "x"})))
    assert validate_package(b.build(b.with_files({f"{b.LIBRARY}/extra.js": "x"}))).is_valid


def test_file_without_extension_is_refused():
    assert only(b.build(b.with_files({f"{b.LIBRARY}/LICENSE": "MIT"}))) == (
        f"{b.LIBRARY}/LICENSE: files without an extension are not allowed"
    )


def test_hidden_and_underscore_files_are_ignored():
    files = b.with_files(
        {"content/.DS_Store": b"\0", "__MACOSX/content/._a.png": b"\0", f"{b.LIBRARY}/.git": "x"}
    )
    result = validate_package(b.build(files))
    assert result.is_valid, result.messages
    assert not any(
        "DS_Store" in e.info.filename or "MACOSX" in e.info.filename for e in result.entries
    )


def test_directory_entries_are_fine():
    assert validate_package(b.build(directories=["content/", f"{b.LIBRARY}/"])).is_valid


def test_duplicate_member_is_refused():
    found = messages(_appended(b.build()))
    assert found == ["content/images/a.png: this file appears more than once in the archive"]


def _appended(data: bytes) -> bytes:
    import io
    import warnings

    buffer = io.BytesIO(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(buffer, "a") as archive:
            archive.writestr("content/images/a.png", b"2")
    return buffer.getvalue()


def test_oversize_file():
    limits = H5PLimits(max_file_size=1000)
    data = b.build(b.with_files({"content/big.mp4": b"x" * 1001}))
    assert only(data, limits=limits).startswith("content/big.mp4: the file is 1001 bytes")


def test_total_size():
    limits = H5PLimits(max_total_size=3000)
    data = b.build(b.with_files({"content/a.mp4": b"a" * 2000, "content/b.mp4": b"b" * 2000}))
    assert "the package is" in only(data, limits=limits)
    assert "uncompressed; the most allowed is" in only(data, limits=limits)


def test_compression_ratio_zip_bomb():
    limits = H5PLimits(ratio_check_min_size=1024, max_compression_ratio=50)
    data = b.build(b.with_files({"content/bomb.txt": b"\0" * 200_000}))
    assert "content/bomb.txt: the file is compressed more than 50 times" in only(
        data, limits=limits
    )


def test_many_small_members_compressed_too_well():
    limits = H5PLimits(ratio_check_min_size=100_000, max_compression_ratio=50)
    bombs = {f"content/part{i}.txt": b"\0" * 20_000 for i in range(10)}
    found = only(b.build(b.with_files(bombs)), limits=limits)
    assert found == (
        "the package is compressed more than 50 times overall, which is how zip bombs are made"
    )


def test_unreadable_compression_method():
    data = bytearray(b.build(b.with_files({"content/x.txt": "hello"}), compression=0))
    info = zipfile.ZipFile(__import__("io").BytesIO(bytes(data))).getinfo("content/x.txt")
    # Method 99 (AES) in the local and the central header.
    data[info.header_offset + 8 : info.header_offset + 10] = (99).to_bytes(2, "little")
    central = bytes(data).rfind(b"PK\x01\x02", 0, bytes(data).find(b"PK\x05\x06"))
    while central != -1:
        length = int.from_bytes(data[central + 28 : central + 30], "little")
        if data[central + 46 : central + 46 + length] == b"content/x.txt":
            data[central + 10 : central + 12] = (99).to_bytes(2, "little")
            break
        central = bytes(data).rfind(b"PK\x01\x02", 0, central)
    assert only(bytes(data)) == (
        "content/x.txt: the file is compressed with a method that cannot be read"
    )


def test_zip_bomb_with_lying_header_is_caught_while_reading():
    # content.json says it is 10 bytes; it inflates to far more.
    files = b.with_files({"content/content.json": '{"a": "' + "x" * 50_000 + '"}'})
    data = b.lying_sizes(b.build(files), "content/content.json", 10)
    found = messages(data)
    assert any(m.startswith("content/content.json: ") for m in found), found


def test_too_many_files():
    limits = H5PLimits(max_files=5)
    assert "the package has 11 files; the most allowed is 5" in only(b.build(), limits=limits)


# h5p.json -----------------------------------------------------------------------------


def test_missing_h5p_json():
    assert only(b.build(b.mutate(**{"h5p.json": None}))) == (
        "h5p.json: h5p.json is missing from the top of the package"
    )


def test_package_zipped_inside_a_folder_gets_a_hint():
    files = {f"folder/{name}": value for name, value in b.valid_files().items()}
    found = " ".join(messages(b.build(files)))
    assert "zipped inside a folder" in found


@pytest.mark.parametrize(
    "key", ["title", "mainLibrary", "language", "preloadedDependencies", "embedTypes"]
)
def test_h5p_json_required_keys(key):
    found = messages(b.build(b.mutate(**{"h5p.json": b.h5p_json(**{key: None})})))
    assert f"h5p.json: '{key}' is missing" in found
    assert not any(f"'{key}' must be" in message for message in found), found


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"title": 5}, "h5p.json: 'title' must be text"),
        ({"embedTypes": "div"}, "h5p.json: 'embedTypes' must be a list"),
        ({"embedTypes": ["window"]}, "'embedTypes' has 'window'"),
        ({"language": "english language"}, "'language' 'english language' is not a language"),
        ({"preloadedDependencies": {"a": 1}}, "'preloadedDependencies' must be a list"),
        (
            {"preloadedDependencies": [{"machineName": "H5P.Sample", "majorVersion": 1}]},
            "'preloadedDependencies[0].minorVersion' is missing",
        ),
        (
            {
                "preloadedDependencies": [
                    {"machineName": "H5P.Sample", "majorVersion": "x", "minorVersion": 2}
                ]
            },
            "'preloadedDependencies[0].majorVersion' must be a whole number",
        ),
        ({"mainLibrary": "H5P.Helper"}, "the main library H5P.Helper is not listed"),
    ],
)
def test_h5p_json_wrong_values(changes, expected):
    data = b.h5p_json(**changes)
    if changes.get("mainLibrary") == "H5P.Helper":
        data["preloadedDependencies"] = data["preloadedDependencies"][:1]
    found = messages(b.build(b.mutate(**{"h5p.json": data})))
    assert any(expected in message for message in found), found


def test_h5p_json_not_an_object():
    assert only(b.build(b.mutate(**{"h5p.json": [1, 2]}))) == (
        "h5p.json: h5p.json must contain a JSON object"
    )


def test_h5p_json_not_utf8():
    assert only(b.build(b.mutate(**{"h5p.json": b"\xff\xfe{"}))) == (
        "h5p.json: the file is not UTF-8 text"
    )


def test_main_library_not_among_preloaded_dependencies():
    data = b.h5p_json(mainLibrary="H5P.Other")
    found = messages(b.build(b.mutate(**{"h5p.json": data})))
    assert "h5p.json: the main library H5P.Other is not listed in 'preloadedDependencies'" in found


# content.json, language files, semantics -----------------------------------------------


def test_content_json_missing_broken_or_not_object():
    assert only(b.build(b.with_files({}, remove=["content/content.json"]))) == (
        "content/content.json: content/content.json is missing"
    )
    assert only(b.build(b.with_files({"content/content.json": "{oops"}))).startswith(
        "content/content.json: the file is not valid JSON"
    )
    assert only(b.build(b.with_files({"content/content.json": "[]"}))) == (
        "content/content.json: content.json must contain a JSON object"
    )


def test_language_file_must_be_json():
    name = f"{b.LIBRARY}/language/fr.json"
    assert only(b.build(b.with_files({name: "{'not': json}"}))).startswith(
        f"{name}: the file is not valid JSON"
    )
    assert only(b.build(b.with_files({name: "[]"}))) == (
        f"{name}: a language file must contain a JSON object"
    )


def test_semantics_must_be_json():
    name = f"{b.LIBRARY}/semantics.json"
    assert only(b.build(b.with_files({name: "[{"}))).startswith(
        f"{name}: the file is not valid JSON"
    )


def test_missing_media_is_only_a_warning():
    result = validate_package(b.build(b.with_files({}, remove=["content/images/a.png"])))
    assert result.is_valid
    assert [str(w) for w in result.warnings] == [
        "content/content.json: refers to images/a.png, which is not in the package"
    ]


# library.json ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key", ["title", "machineName", "majorVersion", "minorVersion", "patchVersion", "runnable"]
)
def test_library_json_required_keys(key):
    data = b.library_json()
    data.pop(key)
    found = messages(b.build(b.with_files({f"{b.LIBRARY}/library.json": data})))
    assert f"{b.LIBRARY}/library.json: '{key}' is missing" in found


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"machineName": "H5P Sample!"}, "'machineName' 'H5P Sample!' is not valid"),
        ({"majorVersion": "one"}, "'majorVersion' must be a whole number"),
        ({"runnable": "yes"}, "'runnable' must be 0 or 1"),
        ({"preloadedJs": "js/sample.js"}, "'preloadedJs' must be a list of objects"),
        ({"title": ""}, "'title' must be text of 1 to 255 characters"),
    ],
)
def test_library_json_wrong_values(changes, expected):
    data = b.library_json(**changes)
    found = messages(b.build(b.with_files({f"{b.LIBRARY}/library.json": data})))
    assert any(expected in message for message in found), found


def test_library_json_broken():
    found = messages(b.build(b.with_files({f"{b.LIBRARY}/library.json": "{"})))
    assert found[0].startswith(f"{b.LIBRARY}/library.json: the file is not valid JSON")


def test_library_folder_without_library_json():
    found = messages(b.build(b.with_files({"Stray-1.0/readme.txt": "x"})))
    assert found == [
        "Stray-1.0/: this folder has no library.json, so it is not an H5P library (only "
        "h5p.json, content/ and library folders belong in a package)"
    ]


def test_folder_name_mismatch():
    data = b.library_json(minorVersion=3)
    found = messages(b.build(b.with_files({f"{b.LIBRARY}/library.json": data})))
    assert (
        f"{b.LIBRARY}/: the folder name does not match its library.json, which describes "
        "H5P.Sample 1.3: the folder must be named H5P.Sample-1.3"
    ) in found


def test_legacy_folder_named_after_the_machine_name_is_accepted():
    files = {
        (name.replace(b.LIBRARY, "H5P.Sample", 1) if name.startswith(b.LIBRARY) else name): value
        for name, value in b.valid_files().items()
    }
    result = validate_package(b.build(files))
    assert result.is_valid, result.messages
    assert result.libraries[("H5P.Sample", 1, 2)].folder_name == "H5P.Sample-1.2"


def test_same_library_twice():
    files = b.with_files(
        {
            "H5P.Sample/library.json": b.library_json(),
            "H5P.Sample/js/sample.js": "x",
            "H5P.Sample/css/sample.css": "x",
        }
    )
    assert "the package has H5P.Sample 1.2 twice" in " ".join(messages(b.build(files)))


def test_missing_preloaded_css():
    found = only(b.build(b.mutate(**{f"{b.LIBRARY}__css__sample.css": None})))
    assert found == (
        f"{b.LIBRARY}/css/sample.css: this file is listed in {b.LIBRARY}/library.json "
        "(preloadedCss) but is missing from the package"
    )


def test_preloaded_path_escaping_the_library():
    data = b.library_json(preloadedJs=[{"path": "../H5P.Helper-2.0/helper.js"}])
    found = only(b.build(b.with_files({f"{b.LIBRARY}/library.json": data})))
    assert "'preloadedJs' path '../H5P.Helper-2.0/helper.js' is not safe" in found


# Dependencies ---------------------------------------------------------------------------


def test_missing_dependency_of_a_library():
    files = b.valid_files()
    for name in [n for n in files if n.startswith("H5P.Helper-2.0/")]:
        files.pop(name)
    data = b.h5p_json(preloadedDependencies=b.h5p_json()["preloadedDependencies"][:1])
    files["h5p.json"] = data
    assert only(b.build(files)) == (
        f"{b.LIBRARY}/library.json: needs library H5P.Helper 2.0, which is neither in the "
        "package nor installed"
    )


def test_missing_main_library():
    files = {n: v for n, v in b.valid_files().items() if not n.startswith(b.LIBRARY)}
    assert (
        "h5p.json: needs the main library H5P.Sample 1.2, which is neither in the package nor "
        "installed" in messages(b.build(files))
    )


def test_dependency_satisfied_by_an_installed_library():
    files = {n: v for n, v in b.valid_files().items() if not n.startswith("H5P.Helper-2.0/")}
    assert not validate_package(b.build(files)).is_valid
    result = validate_package(b.build(files), installed={("H5P.Helper", 2, 0): 1})
    assert result.is_valid, result.messages
    assert ("H5P.Helper", 2, 0) in result.used_libraries


def test_content_only_package_with_installed_libraries():
    files = {
        n: v for n, v in b.valid_files().items() if n == "h5p.json" or n.startswith("content/")
    }
    installed = {("H5P.Sample", 1, 2): 3, ("H5P.Helper", 2, 0): 1}
    assert validate_package(b.build(files), installed=installed).is_valid


def test_wrong_minor_version_installed_does_not_satisfy():
    files = {n: v for n, v in b.valid_files().items() if not n.startswith("H5P.Helper-2.0/")}
    assert not validate_package(b.build(files), installed={("H5P.Helper", 2, 1): 0}).is_valid


def test_editor_dependencies_are_only_warnings():
    data = b.h5p_json(
        editorDependencies=[{"machineName": "H5PEditor.X", "majorVersion": 1, "minorVersion": 0}]
    )
    library = b.library_json(
        editorDependencies=[{"machineName": "H5PEditor.Y", "majorVersion": 1, "minorVersion": 0}]
    )
    result = validate_package(
        b.build(b.with_files({"h5p.json": data, f"{b.LIBRARY}/library.json": library}))
    )
    assert result.is_valid, result.messages
    assert len(result.warnings) == 2


def test_unused_editor_library_with_missing_dependency_is_a_warning():
    files = b.with_files(
        {
            "H5PEditor.Widget-1.0/library.json": {
                "title": "Widget",
                "machineName": "H5PEditor.Widget",
                "majorVersion": 1,
                "minorVersion": 0,
                "patchVersion": 0,
                "runnable": 0,
                "preloadedDependencies": [
                    {"machineName": "H5PEditor.Base", "majorVersion": 1, "minorVersion": 0}
                ],
            }
        }
    )
    result = validate_package(b.build(files))
    assert result.is_valid, result.messages
    assert "H5PEditor.Base 1.0 for editing only" in str(result.warnings[0])


def test_newer_patch_than_installed_is_a_warning():
    result = validate_package(b.build(), installed={("H5P.Helper", 2, 0): 0})
    assert result.is_valid
    assert "the installed version is kept" in str(result.warnings[0])


def test_every_fault_is_reported_at_once():
    files = b.with_files(
        {
            "../evil.txt": "x",
            "content/run.php": "x",
            f"{b.LIBRARY}/language/de.json": "{",
        },
        remove=[f"{b.LIBRARY}/js/sample.js"],
    )
    found = messages(b.build(files))
    assert len(found) == 4, found


def test_deeply_nested_json_is_a_named_fault_not_a_crash():
    deep = "[" * 100_000 + "]" * 100_000
    assert only(b.build(b.with_files({"content/content.json": deep}))) == (
        "content/content.json: the JSON is nested more than 200 levels deep"
    )


def test_messages_go_through_gettext(monkeypatch):
    # A stand-in translation: if a message were hard-coded, it would come out unchanged.
    monkeypatch.setattr(validation, "_", lambda message: f"[{message}]")
    assert only(b.build(b.mutate(**{"h5p.json": None}))) == (
        "h5p.json: [h5p.json is missing from the top of the package]"
    )
    # Placeholders are filled in after translating; the values themselves are not translated.
    limits = H5PLimits(max_file_size=1000)
    data = b.build(b.with_files({"content/big.mp4": b"x" * 1001}))
    assert only(data, limits=limits) == (
        "content/big.mp4: [the file is 1001 bytes uncompressed; the largest allowed is 1000 bytes]"
    )
