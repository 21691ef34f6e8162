"""Checks an uploaded ``.h5p`` file against the H5P package format before anything is stored.

An H5P package is a ZIP archive holding:

- ``h5p.json`` at the top: the content's metadata (title, language, mainLibrary,
  embedTypes, preloadedDependencies, ...);
- ``content/``: ``content.json`` (the content's parameters) and its media;
- one folder per library, named ``Machine.Name-MAJOR.MINOR`` (H5P also accepts the bare
  machine name), each with a ``library.json`` and the files it lists (``preloadedJs``,
  ``preloadedCss``), optional ``semantics.json`` and ``language/*.json``.

``validate_package`` collects every fault it finds rather than stopping at the first, so an
educator can fix a package in one go. Each fault names the file inside the package.

Layering: ``pyh5p`` supplies the library identity (``LibraryId``: machine name, version,
folder name) and its package schema check of ``h5p.json`` (``H5PPackage.validate``), whose
findings are translated into plain messages. Its archive reader stops at the first problem,
reads every member into memory and trusts ZIP headers, and it is both too strict (it rejects
extra top-level files such as ``H5P_CONTENT_HERE.txt``, which real hosts accept, and external
media URLs in ``content.json``) and too lax (it misses absent preloaded files and broken
language files, and it allows file types H5P does not). So the archive itself is checked here
with H5P core's own rules:

- allowed file types are H5P core's default whitelist (``$defaultContentWhitelist``) for
  content and top-level files, plus ``js`` and ``css`` (``$defaultLibraryWhitelistExtras``)
  inside library folders; files without an extension are refused, as H5P core does;
- like H5P core, any file or folder whose name starts with ``.`` or ``_`` (``.DS_Store``,
  ``__MACOSX/``) is ignored: it is still checked for unsafe paths and counted in the size
  limits, but its type is not checked and it is never stored;
- paths must be relative, use ``/``, and never climb out (``..``); symbolic links and
  encrypted members are refused;
- limits on the number of files, the size of each file, the total uncompressed size and the
  compression ratio (zip bombs). Headers are checked here, and ``read_member`` counts the
  bytes really inflated, so a member that lies about its size is caught while it is read.

Dependencies (``preloadedDependencies`` and ``dynamicDependencies`` of ``h5p.json`` and of every
library the content uses) must be in the package or already installed. Editor dependencies,
and the dependencies of libraries that the content never loads (editor widgets shipped in
exports), are only needed to edit content in an H5P editor, which this platform does not run:
missing ones are reported as warnings.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO, Any, Literal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pyh5p import H5PPackage, LibraryId

from imh_core.conf import imh_setting
from imh_core.jsonsafe import JSONTooDeep, json_loads

# H5P core (h5p-php-library, h5p.classes.php): H5PCore::$defaultContentWhitelist and
# H5PCore::$defaultLibraryWhitelistExtras.
CONTENT_EXTENSIONS = frozenset(
    "json png jpg jpeg gif bmp tif tiff svg eot ttf woff woff2 otf webm mp4 ogg mp3 m4a wav "  # noqa: SIM905
    "txt pdf rtf doc docx xls xlsx ppt pptx odt ods odp xml csv diff patch swf md textile "
    "vtt webvtt".split()
)
LIBRARY_EXTENSIONS = CONTENT_EXTENSIONS | {"js", "css"}

# H5P core's library.json and h5p.json patterns (H5PValidator::$libraryRequired, $h5pRequired).
MACHINE_NAME_RE = re.compile(r"^[\w.\-]{1,255}$")
MAIN_LIBRARY_RE = re.compile(r"^[$a-z_][0-9a-z_.$]{1,254}$", re.IGNORECASE)
LANGUAGE_RE = re.compile(r"^[-a-zA-Z]{1,10}$")
VERSION_RE = re.compile(r"^[0-9]{1,5}$")
EMBED_TYPES = {"iframe", "div"}

H5P_JSON = "h5p.json"
CONTENT_JSON = "content/content.json"
# Real content nests a few dozen levels at most (a column of an interactive video of a
# course presentation); far below the depth at which Python's parser would recurse too far.
H5P_MAX_JSON_DEPTH = 200
CONTENT_PREFIX = "content/"

SUPPORTED_COMPRESSION = {
    zipfile.ZIP_STORED,
    zipfile.ZIP_DEFLATED,
    zipfile.ZIP_BZIP2,
    zipfile.ZIP_LZMA,
}

EntryKind = Literal["h5p_json", "content", "library", "extra"]


@dataclass(frozen=True, slots=True)
class H5PLimits:
    """Size limits for one package; override any of them with ``IMH_H5P_LIMITS`` in settings."""

    max_files: int = 5_000
    max_file_size: int = 100 * 1024 * 1024
    max_total_size: int = 300 * 1024 * 1024
    # Ratio of uncompressed to compressed size, checked for members large enough to matter
    # (small JSON files compress very well and are harmless).
    max_compression_ratio: float = 100.0
    ratio_check_min_size: int = 1024 * 1024
    # JSON files are parsed in memory: keep them to a sensible size.
    max_json_size: int = 16 * 1024 * 1024

    @classmethod
    def from_settings(cls) -> H5PLimits:
        return cls(**imh_setting("IMH_H5P_LIMITS"))


@dataclass(frozen=True, slots=True)
class Fault:
    """One problem with a package: the file inside the package it concerns, and what is wrong."""

    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}" if self.file else self.message


@dataclass(slots=True)
class Entry:
    """A member of the archive that will be stored."""

    info: zipfile.ZipInfo
    kind: EntryKind
    folder: str = ""  # the library folder, for library files
    relative: str = ""  # the path inside content/ or inside the library folder


@dataclass(slots=True)
class PackagedLibrary:
    """A library folder in the package, with its parsed ``library.json``."""

    folder: str
    id: LibraryId
    library_json: dict[str, Any]
    files: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.id.machine_name, self.id.major, self.id.minor)

    @property
    def folder_name(self) -> str:
        return self.id.directory_name


@dataclass(slots=True)
class ValidationResult:
    """What ``validate_package`` found: faults (the package is refused), warnings, and the parts."""

    faults: list[Fault] = field(default_factory=list)
    warnings: list[Fault] = field(default_factory=list)
    h5p_json: dict[str, Any] | None = None
    content_json: dict[str, Any] | None = None
    libraries: dict[tuple[str, int, int], PackagedLibrary] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    total_size: int = 0
    # Bytes already read while validating (JSON files), so storing them does not inflate twice.
    cache: dict[str, bytes] = field(default_factory=dict, repr=False)
    library_json_by_folder: dict[str, Any] = field(default_factory=dict, repr=False)
    # Libraries the content loads to play (h5p.json's dependencies and theirs), in the package
    # or installed.
    used_libraries: set[tuple[str, int, int]] = field(default_factory=set)

    @property
    def is_valid(self) -> bool:
        return not self.faults

    @property
    def messages(self) -> list[str]:
        return [str(fault) for fault in self.faults]

    @property
    def main_library_key(self) -> tuple[str, int, int] | None:
        """The ``preloadedDependencies`` entry naming ``mainLibrary``, as a library key."""
        if not self.h5p_json:
            return None
        main = self.h5p_json.get("mainLibrary")
        for dependency in _dependency_list(self.h5p_json.get("preloadedDependencies")):
            key = _dependency_key(dependency)
            if key and key[0] == main:
                return key
        return None

    def fault(self, file: str, message: str) -> None:
        self.faults.append(Fault(file, message))

    def warn(self, file: str, message: str) -> None:
        self.warnings.append(Fault(file, message))


class MemberTooLarge(Exception):
    """A member inflated to more bytes than its header or the limits allow."""


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, limit: int) -> bytes:
    """The member's bytes, never more than its declared size or ``limit`` (zip bombs lie)."""
    allowed = min(info.file_size, limit)
    with archive.open(info) as stream:
        data = stream.read(allowed + 1)
    if len(data) > allowed:
        raise MemberTooLarge(info.filename)
    return data


def validate_package(
    source: str | bytes | IO[bytes],
    *,
    installed: Mapping[tuple[str, int, int], int] | None = None,
    limits: H5PLimits | None = None,
) -> ValidationResult:
    """Check a package given as a path, bytes or a binary file object.

    ``installed`` maps ``(machine name, major, minor)`` of libraries already installed to their
    patch version; dependencies they satisfy need not be in the package.
    """
    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    result = ValidationResult()
    archive = open_archive(source, result)
    if archive is None:
        return result
    with archive:
        return validate_archive(archive, installed=installed, limits=limits, result=result)


def open_archive(source: str | IO[bytes], result: ValidationResult) -> zipfile.ZipFile | None:
    """The ZIP archive, or ``None`` with a fault saying why it cannot be read."""
    try:
        return zipfile.ZipFile(source)
    except FileNotFoundError:
        result.fault("", _("file not found"))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError) as exc:
        result.fault(
            "",
            _(
                "the file is not a ZIP archive or it is damaged, so it is not an H5P package "
                "(%(error)s)"
            )
            % {"error": exc},
        )
    return None


def validate_archive(
    archive: zipfile.ZipFile,
    *,
    installed: Mapping[tuple[str, int, int], int] | None = None,
    limits: H5PLimits | None = None,
    result: ValidationResult | None = None,
) -> ValidationResult:
    """Check an open archive (see ``validate_package``)."""
    result = result if result is not None else ValidationResult()
    limits = limits or H5PLimits.from_settings()
    installed = installed or {}
    infos = archive.infolist()
    if len(infos) > limits.max_files:
        result.fault(
            "",
            ngettext(
                "the package has %(count)s file; the most allowed is %(limit)s",
                "the package has %(count)s files; the most allowed is %(limit)s",
                len(infos),
            )
            % {"count": len(infos), "limit": limits.max_files},
        )
        return result
    library_files = _check_members(infos, result, limits)
    _read_json_files(archive, result, limits, library_files)
    _check_h5p_json(result)
    _check_libraries(result, library_files)
    _check_dependencies(result, installed)
    return result


def path_problem(name: str) -> str | None:
    """Why a member name is unsafe, or ``None``."""
    if "\x00" in name:
        return _("the file name contains a null character")
    if "\\" in name:
        return _("the path uses backslashes; H5P packages use forward slashes only")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return _("absolute paths are not allowed")
    if ":" in name:
        return _("the file name contains ':', which is not allowed")
    parts = name.rstrip("/").split("/")
    if ".." in parts:
        return _("the path climbs out of the package ('..'), which is not allowed")
    if any(part in ("", ".") for part in parts):
        return _("the path has an empty or '.' folder name")
    return None


def is_ignored(name: str) -> bool:
    """Files and folders starting with '.' or '_' are skipped, as H5P core does."""
    return any(part[:1] in (".", "_") for part in name.split("/"))


def is_symlink(info: zipfile.ZipInfo) -> bool:
    return (info.external_attr >> 16) & 0o170000 == 0o120000


def extension_of(name: str) -> str:
    suffix = PurePosixPath(name).suffix
    return suffix[1:].lower() if suffix else ""


def _check_members(
    infos: list[zipfile.ZipInfo], result: ValidationResult, limits: H5PLimits
) -> dict[str, set[str]]:
    """Path, type and size checks of every member; returns library folder -> its files."""
    seen: set[str] = set()
    library_files: dict[str, set[str]] = {}
    total = compressed = 0
    bomb = False
    for info in infos:
        name = info.filename
        problem = path_problem(name)
        if problem:
            result.fault(name, problem)
            continue
        if name in seen:
            result.fault(name, _("this file appears more than once in the archive"))
            continue
        seen.add(name)
        if is_symlink(info):
            result.fault(name, _("symbolic links are not allowed"))
            continue
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            result.fault(name, _("the file is encrypted"))
            continue
        if info.compress_type not in SUPPORTED_COMPRESSION:
            result.fault(name, _("the file is compressed with a method that cannot be read"))
            continue
        total += info.file_size
        compressed += info.compress_size
        if info.file_size > limits.max_file_size:
            result.fault(
                name,
                _("the file is %(size)s uncompressed; the largest allowed is %(limit)s")
                % {"size": _size(info.file_size), "limit": _size(limits.max_file_size)},
            )
            continue
        if (
            info.file_size >= limits.ratio_check_min_size
            and info.file_size / max(info.compress_size, 1) > limits.max_compression_ratio
        ):
            result.fault(
                name,
                _(
                    "the file is compressed more than %(ratio)s times, which is how zip bombs "
                    "are made"
                )
                % {"ratio": f"{limits.max_compression_ratio:g}"},
            )
            bomb = True
            continue
        if is_ignored(name):
            continue
        _classify(info, result, library_files)
    result.total_size = total
    if total > limits.max_total_size:
        result.fault(
            "",
            _("the package is %(size)s uncompressed; the most allowed is %(limit)s")
            % {"size": _size(total), "limit": _size(limits.max_total_size)},
        )
    elif (
        not bomb
        and total >= limits.ratio_check_min_size
        and total / max(compressed, 1) > limits.max_compression_ratio
    ):
        # Many small members can make a zip bomb as well as one large one.
        result.fault(
            "",
            _(
                "the package is compressed more than %(ratio)s times overall, which is how zip "
                "bombs are made"
            )
            % {"ratio": f"{limits.max_compression_ratio:g}"},
        )
    return library_files


def _classify(
    info: zipfile.ZipInfo, result: ValidationResult, library_files: dict[str, set[str]]
) -> None:
    name = info.filename
    extension = extension_of(name)
    if "/" not in name:
        if name == H5P_JSON:
            result.entries.append(Entry(info, "h5p_json", relative=name))
            return
        if _extension_fault(result, name, extension, CONTENT_EXTENSIONS):
            return
        # Real hosts accept stray top-level files (H5P_CONTENT_HERE.txt); they are not stored.
        result.entries.append(Entry(info, "extra", relative=name))
        return
    folder, relative = name.split("/", 1)
    if folder + "/" == CONTENT_PREFIX:
        if relative == H5P_JSON:
            # Content is stored beside the package's h5p.json, so the two cannot share a name.
            result.fault(name, _("content/ cannot hold a file named h5p.json"))
            return
        if not _extension_fault(result, name, extension, CONTENT_EXTENSIONS):
            result.entries.append(Entry(info, "content", relative=relative))
        return
    if not _extension_fault(result, name, extension, LIBRARY_EXTENSIONS):
        library_files.setdefault(folder, set()).add(relative)
        result.entries.append(Entry(info, "library", folder=folder, relative=relative))


def _extension_fault(
    result: ValidationResult, name: str, extension: str, allowed: frozenset[str]
) -> bool:
    if not extension:
        result.fault(name, _("files without an extension are not allowed"))
        return True
    if extension not in allowed:
        if "js" in allowed:
            message = _(
                "files of type .%(extension)s are not allowed in library folders "
                "(allowed: %(allowed)s)"
            )
        else:
            message = _(
                "files of type .%(extension)s are not allowed in content (allowed: %(allowed)s)"
            )
        result.fault(
            name, message % {"extension": extension, "allowed": ", ".join(sorted(allowed))}
        )
        return True
    return False


def _is_json_to_read(entry: Entry) -> bool:
    if entry.kind == "h5p_json":
        return True
    if entry.kind == "content":
        return entry.relative == "content.json"
    if entry.kind == "library":
        relative = entry.relative
        return relative in ("library.json", "semantics.json") or (
            relative.startswith("language/") and relative.endswith(".json")
        )
    return False


def _read_json_files(
    archive: zipfile.ZipFile,
    result: ValidationResult,
    limits: H5PLimits,
    library_files: dict[str, set[str]],
) -> None:
    """Parse h5p.json, content.json, library.json, semantics.json and language files."""
    parsed: dict[str, Any] = {}
    for entry in result.entries:
        if not _is_json_to_read(entry):
            continue
        name = entry.info.filename
        try:
            data = read_member(archive, entry.info, limit=limits.max_json_size)
        except MemberTooLarge:
            result.fault(
                name,
                _("the file is larger than its header says or than %(limit)s")
                % {"limit": _size(limits.max_json_size)},
            )
            continue
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, ValueError) as exc:
            result.fault(
                name, _("the file cannot be read from the archive (%(error)s)") % {"error": exc}
            )
            continue
        result.cache[name] = data
        try:
            parsed[name] = json_loads(data.decode("utf-8-sig"), max_depth=H5P_MAX_JSON_DEPTH)
        except UnicodeDecodeError:
            result.fault(name, _("the file is not UTF-8 text"))
        except JSONTooDeep as exc:
            result.fault(
                name,
                ngettext(
                    "the JSON is nested more than %(limit)s level deep",
                    "the JSON is nested more than %(limit)s levels deep",
                    exc.limit,
                )
                % {"limit": exc.limit},
            )
        except json.JSONDecodeError as exc:
            result.fault(
                name,
                # Translators: the error is the JSON parser's own message, in English.
                _("the file is not valid JSON (%(error)s at line %(line)s, column %(column)s)")
                % {"error": exc.msg, "line": exc.lineno, "column": exc.colno},
            )
    _store_parsed(result, parsed, library_files)


def _store_parsed(
    result: ValidationResult, parsed: dict[str, Any], library_files: dict[str, set[str]]
) -> None:
    names = {entry.info.filename for entry in result.entries}
    if H5P_JSON not in names:
        nested = sorted(n for n in names if n.endswith("/" + H5P_JSON))
        if nested:
            message = _(
                "h5p.json is missing from the top of the package (found %(path)s: the package "
                "may have been zipped inside a folder)"
            ) % {"path": nested[0]}
        else:
            message = _("h5p.json is missing from the top of the package")
        result.fault(H5P_JSON, message)
    elif H5P_JSON in parsed:
        if isinstance(parsed[H5P_JSON], dict):
            result.h5p_json = parsed[H5P_JSON]
        else:
            result.fault(H5P_JSON, _("h5p.json must contain a JSON object"))
    if CONTENT_JSON not in names:
        result.fault(CONTENT_JSON, _("content/content.json is missing"))
    elif CONTENT_JSON in parsed:
        if isinstance(parsed[CONTENT_JSON], dict):
            result.content_json = parsed[CONTENT_JSON]
        else:
            result.fault(CONTENT_JSON, _("content.json must contain a JSON object"))
    for name, value in parsed.items():
        if "/language/" in name and not isinstance(value, dict):
            result.fault(name, _("a language file must contain a JSON object"))
    result.library_json_by_folder = {
        folder: parsed.get(f"{folder}/library.json") for folder in library_files
    }


def _check_h5p_json(result: ValidationResult) -> None:
    metadata = result.h5p_json
    if metadata is None:
        return
    # pyh5p's schema check of h5p.json: required keys, types, dependency objects.
    package = H5PPackage(metadata=metadata, content=None, libraries=(), files={})
    missing: set[str] = set()
    for issue in package.validate():
        # Its "main library is not included" ignores installed libraries: checked below instead.
        if not issue.path.startswith("$.h5p.") or issue.keyword not in ("required", "type"):
            continue
        key = issue.path.removeprefix("$.h5p.")
        if issue.keyword == "required":
            missing.add(key)
        elif key in missing:
            continue  # a missing key is not also "of the wrong type"
        result.fault(H5P_JSON, _plain(key, issue.message))
    # What H5P core checks beyond that.
    title = metadata.get("title")
    if isinstance(title, str) and not 1 <= len(title) <= 255:
        result.fault(H5P_JSON, _("'title' must be 1 to 255 characters long"))
    language = metadata.get("language")
    if isinstance(language, str) and not LANGUAGE_RE.match(language):
        result.fault(
            H5P_JSON,
            _("'language' %(value)s is not a language code (such as 'en')")
            % {"value": repr(language)},
        )
    main = metadata.get("mainLibrary")
    if isinstance(main, str) and not MAIN_LIBRARY_RE.match(main):
        result.fault(
            H5P_JSON,
            _("'mainLibrary' %(value)s is not a valid library machine name")
            % {"value": repr(main)},
        )
    embed_types = metadata.get("embedTypes")
    if isinstance(embed_types, list):
        if not embed_types:
            result.fault(H5P_JSON, _("'embedTypes' must list 'div' or 'iframe'"))
        for value in embed_types:
            if value not in EMBED_TYPES:
                result.fault(
                    H5P_JSON,
                    _("'embedTypes' has %(value)s; use 'div' or 'iframe'") % {"value": repr(value)},
                )
    for key in ("preloadedDependencies", "dynamicDependencies", "editorDependencies"):
        _check_dependency_versions(result, H5P_JSON, key, metadata.get(key), pyh5p_checked=True)
    if (
        isinstance(main, str)
        and isinstance(metadata.get("preloadedDependencies"), list)
        and result.main_library_key is None
    ):
        result.fault(
            H5P_JSON,
            _("the main library %(library)s is not listed in 'preloadedDependencies'")
            % {"library": main},
        )


def _plain(field: str, message: str) -> str:
    """A pyh5p finding about ``field`` of h5p.json, as a plain message."""
    if message in ("mandatory package property is missing", "is required"):
        return _("'%(field)s' is missing") % {"field": field}
    if message == "expected a string":
        return _("'%(field)s' must be text") % {"field": field}
    if message == "expected an array":
        return _("'%(field)s' must be a list") % {"field": field}
    if message == "expected a dependency object":
        return _(
            "'%(field)s' must be an object with machineName, majorVersion and minorVersion"
        ) % {"field": field}
    # Translators: the problem is pyh5p's own description, in English.
    return _("'%(field)s' %(problem)s") % {"field": field, "problem": message}


def _check_dependency_versions(
    result: ValidationResult, file: str, key: str, value: Any, *, pyh5p_checked: bool = False
) -> None:
    if value is None:
        return
    if not isinstance(value, list):
        if not pyh5p_checked:
            result.fault(file, _("'%(field)s' must be a list") % {"field": key})
        return
    for index, dependency in enumerate(value):
        if not isinstance(dependency, dict):
            if not pyh5p_checked:
                result.fault(
                    file, _("'%(field)s' must be an object") % {"field": f"{key}[{index}]"}
                )
            continue
        name = dependency.get("machineName")
        invalid = not isinstance(name, str) or not MACHINE_NAME_RE.match(name)
        if invalid and (name is not None or not pyh5p_checked):
            result.fault(
                file,
                _("'%(field)s' is missing or not valid") % {"field": f"{key}[{index}].machineName"},
            )
        for part in ("majorVersion", "minorVersion"):
            number = dependency.get(part)
            if number is None:
                if not pyh5p_checked:
                    result.fault(
                        file, _("'%(field)s' is missing") % {"field": f"{key}[{index}].{part}"}
                    )
            elif not _is_version(number):
                result.fault(
                    file,
                    _("'%(field)s' must be a whole number") % {"field": f"{key}[{index}].{part}"},
                )


def _is_version(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0 <= value <= 99999
    return isinstance(value, str) and bool(VERSION_RE.match(value))


def _dependency_list(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _dependency_key(dependency: Mapping[str, Any]) -> tuple[str, int, int] | None:
    name = dependency.get("machineName")
    major, minor = dependency.get("majorVersion"), dependency.get("minorVersion")
    if not isinstance(name, str) or not _is_version(major) or not _is_version(minor):
        return None
    return (name, int(major), int(minor))


LIBRARY_REQUIRED = ("title", "machineName", "majorVersion", "minorVersion", "patchVersion")


def _check_libraries(result: ValidationResult, library_files: dict[str, set[str]]) -> None:
    parsed = result.library_json_by_folder
    for folder in sorted(library_files):
        files = library_files[folder]
        file = f"{folder}/library.json"
        if "library.json" not in files:
            result.fault(
                f"{folder}/",
                _(
                    "this folder has no library.json, so it is not an H5P library (only "
                    "h5p.json, content/ and library folders belong in a package)"
                ),
            )
            continue
        data = parsed.get(folder)
        if data is None:
            continue  # unreadable: already reported
        if not isinstance(data, dict):
            result.fault(file, _("library.json must contain a JSON object"))
            continue
        if not _check_library_json(result, file, data):
            continue
        library_id = LibraryId.parse(data)
        if folder not in (library_id.directory_name, library_id.machine_name):
            result.fault(
                f"{folder}/",
                _(
                    "the folder name does not match its library.json, which describes "
                    "%(library)s: the folder must be named %(folder)s"
                )
                % {
                    "library": f"{library_id.machine_name} {library_id.major}.{library_id.minor}",
                    "folder": library_id.directory_name,
                },
            )
            continue
        library = PackagedLibrary(folder, library_id, data, files)
        if library.key in result.libraries:
            result.fault(
                f"{folder}/",
                _("the package has %(library)s twice (also in %(folder)s/)")
                % {
                    "library": f"{library_id.machine_name} {library_id.major}.{library_id.minor}",
                    "folder": result.libraries[library.key].folder,
                },
            )
            continue
        result.libraries[library.key] = library
        for key, extension in (("preloadedJs", "js"), ("preloadedCss", "css")):
            _check_preloaded(result, folder, files, key, extension, data.get(key))


def _check_library_json(result: ValidationResult, file: str, data: dict[str, Any]) -> bool:
    before = len(result.faults)
    for key in (*LIBRARY_REQUIRED, "runnable"):
        if key not in data:
            result.fault(file, _("'%(field)s' is missing") % {"field": key})
    title = data.get("title")
    if "title" in data and not (isinstance(title, str) and 1 <= len(title) <= 255):
        result.fault(file, _("'title' must be text of 1 to 255 characters"))
    name = data.get("machineName")
    if "machineName" in data and not (isinstance(name, str) and MACHINE_NAME_RE.match(name)):
        result.fault(
            file,
            _("'machineName' %(value)s is not valid (letters, digits, '.', '-' and '_' only)")
            % {"value": repr(name)},
        )
    for key in ("majorVersion", "minorVersion", "patchVersion"):
        if key in data and not _is_version(data[key]):
            result.fault(file, _("'%(field)s' must be a whole number") % {"field": key})
    if "runnable" in data and data["runnable"] not in (0, 1, True, False, "0", "1"):
        result.fault(file, _("'runnable' must be 0 or 1"))
    for key in ("preloadedDependencies", "dynamicDependencies", "editorDependencies"):
        _check_dependency_versions(result, file, key, data.get(key))
    for key in ("preloadedJs", "preloadedCss"):
        value = data.get(key)
        if value is not None and not (
            isinstance(value, list)
            and all(isinstance(item, dict) and isinstance(item.get("path"), str) for item in value)
        ):
            result.fault(
                file, _("'%(field)s' must be a list of objects with a 'path'") % {"field": key}
            )
    return len(result.faults) == before


def _check_preloaded(
    result: ValidationResult,
    folder: str,
    files: set[str],
    key: str,
    extension: str,
    value: Any,
) -> None:
    for item in value or ():
        path = item["path"].lstrip("/")
        if path_problem(path):
            result.fault(
                f"{folder}/library.json",
                _("'%(field)s' path %(path)s is not safe")
                % {"field": key, "path": repr(item["path"])},
            )
        elif extension_of(path) != extension:
            result.fault(
                f"{folder}/library.json",
                _("'%(field)s' path %(path)s must end in .%(extension)s")
                % {"field": key, "path": repr(path), "extension": extension},
            )
        elif path not in files:
            result.fault(
                f"{folder}/{path}",
                _("this file is listed in %(file)s (%(field)s) but is missing from the package")
                % {"file": f"{folder}/library.json", "field": key},
            )


def _requirements(metadata: Mapping[str, Any], keys: Iterable[str]) -> list[tuple[str, int, int]]:
    found = []
    for key in keys:
        for dependency in _dependency_list(metadata.get(key)):
            dependency_key = _dependency_key(dependency)
            if dependency_key:
                found.append(dependency_key)
    return found


def _check_dependencies(
    result: ValidationResult, installed: Mapping[tuple[str, int, int], int]
) -> None:
    metadata = result.h5p_json
    if metadata is None:
        return

    def available(key: tuple[str, int, int]) -> bool:
        return key in result.libraries or key in installed

    def label(key: tuple[str, int, int]) -> str:
        return f"{key[0]} {key[1]}.{key[2]}"

    play = ("preloadedDependencies", "dynamicDependencies")
    # Walk what the content loads to play, from h5p.json through each library in the package.
    used: set[tuple[str, int, int]] = set()
    queue = [(H5P_JSON, key) for key in _requirements(metadata, play)]
    missing_reported: set[tuple[str, tuple[str, int, int]]] = set()
    main_key = result.main_library_key
    while queue:
        file, key = queue.pop(0)
        if not available(key):
            if (file, key) not in missing_reported:
                missing_reported.add((file, key))
                if file == H5P_JSON and key == main_key:
                    message = _(
                        "needs the main library %(library)s, which is neither in the package "
                        "nor installed"
                    )
                else:
                    message = _(
                        "needs library %(library)s, which is neither in the package nor installed"
                    )
                result.fault(file, message % {"library": label(key)})
            continue
        if key in used:
            continue
        used.add(key)
        result.used_libraries.add(key)
        library = result.libraries.get(key)
        if library is not None:
            library_file = f"{library.folder}/library.json"
            queue.extend((library_file, dep) for dep in _requirements(library.library_json, play))
    # Editor dependencies, and the dependencies of libraries the content does not load.
    for key in _requirements(metadata, ("editorDependencies",)):
        if not available(key):
            result.warn(
                H5P_JSON,
                _("editor library %(library)s is not included (not needed)")
                % {"library": label(key)},
            )
    for key, library in result.libraries.items():
        library_file = f"{library.folder}/library.json"
        wanted = _requirements(library.library_json, ("editorDependencies",))
        if key not in used:
            wanted += _requirements(library.library_json, play)
        for dependency in wanted:
            if not available(dependency):
                result.warn(
                    library_file,
                    _("needs %(library)s for editing only; it is not included")
                    % {"library": label(dependency)},
                )
    # Libraries already installed are kept: a package never replaces them (see storage).
    for key, library in result.libraries.items():
        patch = installed.get(key)
        if patch is not None and library.id.patch > patch:
            result.warn(
                f"{library.folder}/library.json",
                _("%(new)s is newer than the installed %(old)s; the installed version is kept")
                % {
                    "new": f"{label(key)}.{library.id.patch}",
                    "old": f"{label(key)}.{patch}",
                },
            )
    # Media referenced by content.json that the package lacks (pyh5p refuses these, and
    # external URLs too): H5P plays the rest of the content, so this is only a warning.
    if result.content_json is not None:
        names = {entry.info.filename for entry in result.entries}
        for relative in _media_paths(result.content_json):
            if "://" in relative or relative.startswith(("data:", "#")):
                continue
            if f"{CONTENT_PREFIX}{relative.split('#', 1)[0]}" not in names:
                result.warn(
                    CONTENT_JSON,
                    _("refers to %(path)s, which is not in the package") % {"path": relative},
                )


def _media_paths(value: Any) -> list[str]:
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            path = item.get("path")
            if isinstance(path, str) and "mime" in item:
                found.append(path)
            stack.extend(v for k, v in item.items() if k != "path")
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _size(number: int) -> str:
    if number >= 1024 * 1024:
        return _("%(size)s MB") % {"size": f"{number / (1024 * 1024):.1f}"}
    if number >= 1024:
        return _("%(size)s KB") % {"size": f"{number / 1024:.0f}"}
    return ngettext("%(size)s byte", "%(size)s bytes", number) % {"size": number}
