"""Writes for H5P activities: upload a package, replace it, delete the activity.

Each write validates the package first (``imh_assessments.h5p.validation``) and refuses it with
every fault listed. Files go to media storage as laid out in ``imh_assessments.h5p.storage``. If
anything fails part-way (storage error, a database constraint, an archive that lies about its
sizes), every file written by the call is deleted again and no row is written. Old files (a
replaced package's content, a deleted activity's content) are deleted only once the database
change has committed, so a rolled-back change never loses files still in use.

Libraries are shared and only ever added; deleting an activity keeps them, because another
activity (or an upload in progress) may use them.
"""

from __future__ import annotations

import hashlib
import secrets
import zipfile
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext, gettext_lazy

from imh_assessments.h5p.demo import (
    DEMO_MACHINE_NAME,
    DEMO_PACKAGE_NAME,
    DEMO_TITLE,
    demo_package_bytes,
)
from imh_assessments.h5p.storage import (
    Budget,
    ExtractionError,
    StorageWriter,
    content_prefix,
    delete_prefix,
    extract_content,
    extract_library,
    library_prefix,
)
from imh_assessments.h5p.validation import (
    H5PLimits,
    ValidationResult,
    open_archive,
    validate_archive,
)
from imh_assessments.models import H5PActivity, H5PLibrary
from imh_assessments.selectors.h5p import h5p_installed_libraries

PACKAGE_FAILED = gettext_lazy(
    "The H5P package could not be stored. Nothing was saved; please try again."
)


def _digest(file: IO[bytes]) -> tuple[str, int]:
    file.seek(0)
    digest = hashlib.sha256()
    size = 0
    while chunk := file.read(1024 * 1024):
        digest.update(chunk)
        size += len(chunk)
    file.seek(0)
    return digest.hexdigest(), size


def _as_file(file: Any) -> File:
    if isinstance(file, File):
        return file
    return File(file, name=getattr(file, "name", None) or "package.h5p")


def h5p_package_validate(*, file: Any) -> ValidationResult:
    """Check a package (a file object) against the format and the installed libraries."""
    file.seek(0)
    result = ValidationResult()
    archive = open_archive(file, result)
    if archive is None:
        return result
    with archive:
        return validate_archive(archive, installed=h5p_installed_libraries(), result=result)


def _raise_faults(result: ValidationResult) -> None:
    raise ValidationError(
        [
            gettext("The H5P package was refused: %(problem)s") % {"problem": message}
            for message in result.messages
        ],
        code="invalid_h5p",
    )


def _store_package(
    *, activity: H5PActivity, file: File, prefix: str, writer: StorageWriter
) -> ValidationResult:
    """Validate, install missing libraries, write content under ``prefix`` and the package.

    Fills the activity's package fields (not saved); returns the validation result. The
    caller runs this inside a transaction and calls ``writer.rollback()`` if anything fails.
    """
    limits = H5PLimits.from_settings()
    sha256, size = _digest(file)
    installed = h5p_installed_libraries()
    result = ValidationResult()
    archive = open_archive(file, result)
    if archive is None:
        _raise_faults(result)
    with archive:
        validate_archive(archive, installed=installed, limits=limits, result=result)
        if not result.is_valid:
            _raise_faults(result)
        budget = Budget(limits)
        for key, library in sorted(result.libraries.items()):
            if key in installed:
                continue
            row = H5PLibrary(
                machine_name=library.id.machine_name,
                major_version=library.id.major,
                minor_version=library.id.minor,
                patch_version=library.id.patch,
                title=str(library.library_json.get("title", ""))[:255],
                runnable=library.library_json.get("runnable") in (1, True, "1"),
                library_json=library.library_json,
                storage_path=library_prefix(library.folder_name),
            )
            # Uniqueness is left to the database constraint below, not to a racy read.
            row.full_clean(validate_unique=False, validate_constraints=False)
            try:
                # The row first: its unique constraint makes a concurrent upload of the same
                # library wait until that upload commits or rolls back, instead of both
                # writing the same files.
                with transaction.atomic():
                    row.save()
            except IntegrityError:
                # The other upload committed, so its files were complete: use them.
                continue
            extract_library(archive, result, library, writer=writer, budget=budget)
        extract_content(archive, result, prefix=prefix, writer=writer, budget=budget)
    rows = {
        (row.machine_name, row.major_version, row.minor_version): row
        for row in H5PLibrary.objects.filter(
            machine_name__in={key[0] for key in result.used_libraries}
        )
    }
    file.seek(0)
    activity.package.save(_package_name(file), file, save=False)
    writer.track(activity.package.name)
    activity.package_sha256 = sha256
    activity.package_size = size
    activity.content_path = prefix
    activity.h5p_json = result.h5p_json or {}
    activity.main_library = rows.get(result.main_library_key)
    activity._h5p_used_libraries = [rows[key] for key in result.used_libraries if key in rows]
    return result


def _package_name(file: File) -> str:
    name = (getattr(file, "name", "") or "package.h5p").rsplit("/", 1)[-1]
    return name if name.lower().endswith(".h5p") else f"{name}.h5p"


def _save_activity(activity: H5PActivity) -> None:
    activity.full_clean(exclude=["package"])
    activity.save()
    activity.libraries.set(activity._h5p_used_libraries)


def h5p_activity_create(
    *,
    title: str,
    file: Any,
    uploaded_by: Any = None,
    scoring_policy: str = H5PActivity.ScoringPolicy.BEST,
    pass_mark: int = 100,
    activity: H5PActivity | None = None,
) -> H5PActivity:
    """Validate an uploaded ``.h5p`` file and create the activity from it.

    ``activity`` may be an unsaved instance prepared by the admin form (carrying its
    competency mappings in memory); its title, policy and pass mark are set from the
    arguments. Raises ``ValidationError`` listing every fault of a refused package.
    """
    file = _as_file(file)
    activity = activity or H5PActivity()
    activity.title = title
    activity.scoring_policy = scoring_policy
    activity.pass_mark = pass_mark
    activity.uploaded_by = uploaded_by
    writer = StorageWriter()
    try:
        with transaction.atomic():
            _store_package(
                activity=activity,
                file=file,
                prefix=content_prefix(activity.uuid),
                writer=writer,
            )
            _save_activity(activity)
    except ValidationError:
        writer.rollback()
        raise
    except (ExtractionError, zipfile.BadZipFile, OSError) as exc:
        writer.rollback()
        raise ValidationError(f"{PACKAGE_FAILED} ({exc})", code="h5p_storage") from exc
    except BaseException:
        writer.rollback()
        raise
    return activity


def h5p_activity_update(
    *,
    activity: H5PActivity,
    title: str,
    scoring_policy: str,
    pass_mark: int,
    file: Any = None,
) -> H5PActivity:
    """Change an activity's settings and, with ``file``, replace its package.

    A new package is written under a fresh content prefix; the old content and package file
    are deleted once the change has committed.
    """
    activity.title = title
    activity.scoring_policy = scoring_policy
    activity.pass_mark = pass_mark
    if file is None:
        with transaction.atomic():
            activity.full_clean(exclude=["package"])
            activity.save()
        return activity
    file = _as_file(file)
    # From the database: a form may already have put the new upload on the instance.
    old_prefix, old_package = (
        H5PActivity.objects.filter(pk=activity.pk).values_list("content_path", "package").get()
    )
    writer = StorageWriter()
    try:
        with transaction.atomic():
            _store_package(
                activity=activity,
                file=file,
                prefix=content_prefix(activity.uuid, secrets.token_hex(4)),
                writer=writer,
            )
            _save_activity(activity)
            transaction.on_commit(lambda: _delete_files(old_prefix, old_package))
    except ValidationError:
        writer.rollback()
        _restore(activity, old_prefix, old_package)
        raise
    except (ExtractionError, zipfile.BadZipFile, OSError) as exc:
        writer.rollback()
        _restore(activity, old_prefix, old_package)
        raise ValidationError(f"{PACKAGE_FAILED} ({exc})", code="h5p_storage") from exc
    except BaseException:
        writer.rollback()
        _restore(activity, old_prefix, old_package)
        raise
    return activity


def _restore(activity: H5PActivity, prefix: str, package: str) -> None:
    """Put the in-memory instance back to the stored package after a failed replacement."""
    if activity.pk:
        activity.refresh_from_db()
    else:
        activity.content_path, activity.package.name = prefix, package


def _delete_files(prefix: str, package: str) -> None:
    if prefix:
        delete_prefix(prefix)
    if package and default_storage.exists(package):
        default_storage.delete(package)


def h5p_activity_delete(*, activity: H5PActivity) -> None:
    """Delete the activity, then (once committed) its content files and package.

    Its libraries stay: they are shared, and an upload in progress may be about to use them.
    """
    prefix, package = activity.content_path, activity.package.name
    with transaction.atomic():
        activity.delete()
        transaction.on_commit(lambda: _delete_files(prefix, package))


def h5p_demo_activity_get_or_create(
    *, title: str = DEMO_TITLE, uploaded_by: Any = None, pass_mark: int = 80
) -> tuple[H5PActivity, bool]:
    """The activity made from the project's own package (``IMH.CueCheck``), created once.

    An activity already made from this content type under ``title`` is returned as it is
    (with ``False``), so running the demo again changes nothing an educator has edited.
    """
    existing = (
        H5PActivity.objects.filter(title=title, main_library__machine_name=DEMO_MACHINE_NAME)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return existing, False
    activity = h5p_activity_create(
        title=title,
        file=ContentFile(demo_package_bytes(), name=DEMO_PACKAGE_NAME),
        uploaded_by=uploaded_by,
        pass_mark=pass_mark,
    )
    return activity, True
