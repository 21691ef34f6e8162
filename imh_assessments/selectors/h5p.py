"""Reads for H5P activities: installed libraries and where an activity's files are stored.

The player serves an activity as if its package were unpacked in one folder (the layout
h5p-standalone expects with ``h5pJsonPath`` = the folder, ``contentJsonPath`` = its
``content/`` and ``librariesPath`` = its ``libraries/``). ``activity_asset_storage_path`` maps a
path inside that folder to the file in media storage:

=====================================  ==============================================
path inside the player's folder        storage name
=====================================  ==============================================
``h5p.json``                           ``<activity.content_path>h5p.json``
``content/<file>``                     ``<activity.content_path><file>``
``libraries/<Machine-MAJ.MIN>/<file>``  ``h5p/libraries/<Machine-MAJ.MIN>/<file>``
=====================================  ==============================================

``activity.content_path`` is ``h5p/content/<activity uuid>/`` (with a ``-<token>`` suffix
once the package has been replaced), so ``content/content.json`` maps to
``h5p/content/<uuid>/content.json``. Only libraries the activity uses are reachable through
it; anything else, or any unsafe path, maps to ``None`` (answer 404). Open the result with
``default_storage.open(name)`` or give ``default_storage.url(name)``.
"""

from __future__ import annotations

from django.db.models import QuerySet

from imh_assessments.h5p.storage import library_prefix
from imh_assessments.h5p.validation import path_problem
from imh_assessments.models import H5PActivity, H5PLibrary
from imh_core.people import select_people


def h5p_installed_libraries() -> dict[tuple[str, int, int], int]:
    """Installed libraries: ``(machine name, major, minor)`` -> patch version."""
    rows = H5PLibrary.objects.values_list(
        "machine_name", "major_version", "minor_version", "patch_version"
    )
    return {(name, major, minor): patch for name, major, minor, patch in rows}


def h5p_activity_list() -> QuerySet[H5PActivity]:
    """Activities with what the admin listing shows."""
    return select_people(H5PActivity.objects.select_related("main_library"), "uploaded_by")


def activity_library_folders(activity: H5PActivity) -> set[str]:
    """Folder names (``Machine.Name-MAJOR.MINOR``) of the libraries the activity loads."""
    cached = getattr(activity, "_h5p_library_folders", None)
    if cached is None:
        cached = {
            f"{name}-{major}.{minor}"
            for name, major, minor in activity.libraries.values_list(
                "machine_name", "major_version", "minor_version"
            )
        }
        activity._h5p_library_folders = cached
    return cached


def activity_content_prefix(activity: H5PActivity) -> str:
    """The storage folder holding the activity's ``h5p.json`` and content files."""
    return activity.content_path


def activity_asset_storage_path(activity: H5PActivity, relative_path: str) -> str | None:
    """The storage name for ``relative_path`` inside the player's folder, or ``None``."""
    if not relative_path or path_problem(relative_path) or relative_path.endswith("/"):
        return None
    if not activity.content_path:
        return None
    if relative_path == "h5p.json":
        return f"{activity.content_path}h5p.json"
    head, _, rest = relative_path.partition("/")
    if not rest:
        return None
    if head == "content":
        return f"{activity.content_path}{rest}"
    if head == "libraries":
        folder, _, file = rest.partition("/")
        if file and folder in activity_library_folders(activity):
            return f"{library_prefix(folder)}{file}"
    return None
