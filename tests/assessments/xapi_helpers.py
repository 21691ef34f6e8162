"""Helpers for the H5P player and xAPI tests: an activity from a real package, placed on a
page, and an attempt policy that lets chosen people attempt it."""

from __future__ import annotations

import contextlib
import json
import uuid
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from wagtail import hooks
from wagtail.models import Page

from imh_assessments.models import ActivityPlacement, H5PActivity
from imh_core.hooks import IMH_ATTEMPT_POLICIES

ADL = "http://adlnet.gov/expapi/verbs/"


def fixture_path(name: str) -> Path:
    folder = Path(getattr(settings, "IMH_H5P_FIXTURES_DIR", ""))
    path = folder / name
    if not path.exists():
        pytest.skip(f"The H5P fixture {name} is not at {folder} (set IMH_H5P_FIXTURES_DIR).")
    return path


def _extract(activity: H5PActivity, archive: zipfile.ZipFile) -> None:
    """Store the package the way the upload service does: content per activity, libraries
    once, ``h5p/content/<uuid>/h5p.json``."""
    for member in archive.infolist():
        if member.is_dir():
            continue
        name = member.filename
        if name == "h5p.json":
            target = f"h5p/content/{activity.uuid}/h5p.json"
        elif name.startswith("content/"):
            target = f"h5p/content/{activity.uuid}/{name.removeprefix('content/')}"
        elif "/" in name:
            target = f"h5p/libraries/{name}"
            if default_storage.exists(target):
                continue
        else:
            continue
        default_storage.save(target, ContentFile(archive.read(member)))


def h5p_activity(name: str = "true-false.h5p", **fields) -> H5PActivity:
    """An activity made from a real package in the fixtures folder, with its files stored."""
    path = fixture_path(name)
    fields.setdefault("title", "Is this false?")
    try:
        from imh_assessments.services.h5p import h5p_activity_create
    except ImportError:
        h5p_activity_create = None
    if h5p_activity_create is not None:
        with path.open("rb") as handle:
            activity = h5p_activity_create(
                title=fields.pop("title"),
                file=ContentFile(handle.read(), name=name),
                uploaded_by=fields.pop("uploaded_by", None),
            )
        if fields:
            H5PActivity.objects.filter(pk=activity.pk).update(**fields)
            activity.refresh_from_db()
        return activity
    with zipfile.ZipFile(path) as archive:
        h5p_json = json.loads(archive.read("h5p.json"))
        activity = H5PActivity(uuid=uuid.uuid4(), h5p_json=h5p_json, **fields)
        activity.package.save(name, ContentFile(path.read_bytes()), save=False)
        activity.content_path = f"h5p/content/{activity.uuid}"
        activity.save()
        _extract(activity, archive)
    return activity


def demo_h5p_activity(**fields) -> H5PActivity:
    """An activity made from the project's own package (``IMH.CueCheck``), files stored.

    Needs nothing from outside the repository; ``demo_answers()`` gives the right answers.
    """
    from imh_assessments.h5p.demo import DEMO_PACKAGE_NAME, demo_package_bytes
    from imh_assessments.services.h5p import h5p_activity_create

    activity = h5p_activity_create(
        title=fields.pop("title", "Reading a baby's cues"),
        file=ContentFile(demo_package_bytes(), name=DEMO_PACKAGE_NAME),
        uploaded_by=fields.pop("uploaded_by", None),
        pass_mark=fields.pop("pass_mark", 100),
    )
    if fields:
        H5PActivity.objects.filter(pk=activity.pk).update(**fields)
        activity.refresh_from_db()
    return activity


def demo_answers() -> list[tuple[str, str]]:
    """The demo package's descriptions with their right answers, in order."""
    from imh_assessments.h5p.demo import DEMO_CONTENT_DIR

    content = json.loads((DEMO_CONTENT_DIR / "content" / "content.json").read_text())
    return [(item["text"], item["cue"]) for item in content["statements"]]


def bare_activity(**fields) -> H5PActivity:
    """An activity row without files, for tests of statements and results only."""
    fields.setdefault("title", "Responding to a baby's cues")
    activity = H5PActivity(**fields)
    activity.package.name = "h5p/packages/none.h5p"
    activity.save()
    return activity


def place(activity: H5PActivity, page: Page | None = None) -> ActivityPlacement:
    page = page or Page.objects.get(depth=2)
    return ActivityPlacement.objects.create(
        page=page, activity_type=ActivityPlacement.Type.H5P, activity_id=activity.pk
    )


@contextlib.contextmanager
def attempt_policy(*users):
    """Let ``users`` (or, with none given, everyone) attempt activities on any page."""
    allowed = {user.pk for user in users}

    def policy(user, page_ids):
        return set(page_ids) if not allowed or user.pk in allowed else set()

    with hooks.register_temporarily(IMH_ATTEMPT_POLICIES, policy):
        yield


def iri(activity: H5PActivity, base: str = "http://testserver") -> str:
    return f"{base}/assessments/h5p/{activity.uuid}"


def agent(user) -> dict:
    return {
        "objectType": "Agent",
        "account": {"homePage": settings.WAGTAILADMIN_BASE_URL, "name": str(user.pk)},
    }


def statement(user, activity, *, verb="answered", score=None, **extra) -> dict:
    """An H5P-like statement about ``activity`` by ``user``."""
    body = {
        "id": str(uuid.uuid4()),
        "actor": agent(user),
        "verb": {"id": ADL + verb, "display": {"en-US": verb}},
        "object": {"objectType": "Activity", "id": iri(activity)},
        **extra,
    }
    if score is not None:
        raw, maximum = score
        body["result"] = {
            "score": {"raw": raw, "min": 0, "max": maximum, "scaled": raw / maximum},
            "completion": True,
            "success": raw == maximum,
        }
    return body
