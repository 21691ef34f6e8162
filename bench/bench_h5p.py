"""Uploading a real H5P package (Drag the Words, 146 files, 2 MB inflated) end to end.

``h5p_activity_create`` validates the package, installs its libraries, extracts its content
into the configured storage (in memory under the test settings) and writes the rows. Measured
twice: with every library new (the first upload of a content type) and with its libraries
already installed (every later upload). Target: under 300 ms. Validation alone is shown too.
Cleaning up after each run (deleting rows and files) is not timed.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.harness import Result, measure
from imh_assessments.h5p.storage import delete_prefix
from imh_assessments.h5p.validation import validate_package
from imh_assessments.models import H5PActivity, H5PLibrary
from imh_assessments.services.h5p import h5p_activity_create

TARGET = "< 300 ms"
RUNS = 30


def _timed(name: str, fn: Callable[[], object], cleanup: Callable[[], object]) -> Result:
    """Like ``harness.measure``, with an untimed ``cleanup`` after every call."""
    for _ in range(3):
        fn()
        cleanup()
    with CaptureQueriesContext(connection) as captured:
        fn()
    queries = len(captured.captured_queries)
    cleanup()
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - start) * 1000)
        cleanup()
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return Result(name, statistics.median(timings), p95, queries, TARGET)


def _remove_activities() -> None:
    for activity in H5PActivity.objects.all():
        delete_prefix(activity.content_path)
        activity.package.delete(save=False)
        activity.delete()


def _remove_everything() -> None:
    _remove_activities()
    for library in H5PLibrary.objects.all():
        delete_prefix(library.storage_path)
        library.delete()


def run() -> list[Result]:
    path = Path(settings.IMH_H5P_FIXTURES_DIR) / "drag-text.h5p"
    if not path.is_file():
        print(f"bench_h5p: skipped, {path} is absent")
        return []
    data = path.read_bytes()

    def upload() -> H5PActivity:
        return h5p_activity_create(
            title="Drag the words", file=ContentFile(data, name="drag-text.h5p")
        )

    _remove_everything()
    validate = measure(
        "H5P validate drag-text.h5p", lambda: validate_package(data), runs=RUNS, target=TARGET
    )
    fresh = _timed("H5P upload drag-text.h5p, new libraries", upload, _remove_everything)
    upload()  # install its libraries once
    _remove_activities()
    installed = _timed("H5P upload drag-text.h5p, libraries installed", upload, _remove_activities)
    _remove_everything()
    return [validate, fresh, installed]
