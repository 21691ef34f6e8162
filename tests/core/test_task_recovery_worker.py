"""A real task worker killed mid-render: the certificate's PDF is still made.

A ``db_worker`` process claims a certificate render and is killed (SIGKILL, as the kernel's
out-of-memory killer or a hard restart would) while rendering. Its task stays "running" for
ever and the certificate waits for ever, until the recovery pass finds the task past its
lease, fails it and queues it again; a fresh worker then makes the PDF.

Needs PostgreSQL: the worker is another process, and the SQLite test database lives in the
test process's memory.
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from imh_certificates.models import Certificate
from imh_certificates.tasks import certificate_render_pdf
from imh_core.task_recovery import WorkerLost, tasks_recover
from tests.certificates.factories import CertificateFactory
from tests.core.queue import database_queue

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).resolve().parents[2]
WORKER_START_SECONDS = 20


@pytest.fixture(autouse=True)
def _postgresql_only(db):
    if connection.vendor != "postgresql":
        pytest.skip(
            "Needs PostgreSQL: the task worker runs in another process, and the SQLite test "
            "database is in this process's memory. "
            "Run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/imh_learning."
        )


def _database_url() -> str:
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    return (
        f"postgres://{database['USER']}{password}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )


def _worker(media_root: Path, *options: str, hang_marker: Path | None = None):
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "tests.core.worker_settings",
        "IMH_TEST_WORKER_MEDIA_ROOT": str(media_root),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    env.pop("IMH_TEST_HANG_IN_RENDER", None)
    if hang_marker is not None:
        env["IMH_TEST_HANG_IN_RENDER"] = str(hang_marker)
    return subprocess.Popen(  # noqa: S603 - a fixed command line
        [
            sys.executable,
            "-m",
            "tests.core.task_worker",
            "--queue-name",
            "*",
            "--interval",
            "0.1",
            "--no-startup-delay",
            "--no-reload",
            *options,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_for(condition, *, worker: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + WORKER_START_SECONDS
    while not condition():
        if worker.poll() is not None:
            raise AssertionError(f"The worker exited before {what}:\n{worker.stdout.read()}")
        if time.monotonic() > deadline:
            worker.kill()
            raise AssertionError(f"Timed out waiting for {what}:\n{worker.stdout.read()}")
        time.sleep(0.1)


def test_a_render_killed_with_its_worker_is_recovered_and_the_pdf_made(tmp_path):
    certificate = CertificateFactory()
    with database_queue:
        render = certificate_render_pdf.enqueue(certificate.pk)
    hang_marker = tmp_path / "rendering"

    worker = _worker(tmp_path, hang_marker=hang_marker)
    try:
        _wait_for(hang_marker.exists, worker=worker, what="the worker began the render")
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        worker.stdout.close()

    # The bug: the task stays "running" under a worker that no longer exists.
    lost = DBTaskResult.objects.get(pk=render.id)
    assert lost.status == TaskResultStatus.RUNNING
    certificate.refresh_from_db()
    assert certificate.pdf_status == Certificate.PdfStatus.PENDING

    # The scheduled pass, once the lease (15 minutes by default) has run out.
    with database_queue:
        recovery = tasks_recover(now=timezone.now() + datetime.timedelta(minutes=16))
    assert recovery.as_dict()["requeued"] == 1

    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.FAILED
    assert lost.exception_class_path == f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"

    fresh = _worker(tmp_path, "--batch")
    try:
        output, _ = fresh.communicate(timeout=WORKER_START_SECONDS)
    except subprocess.TimeoutExpired:
        fresh.kill()
        raise
    assert fresh.returncode == 0, output

    certificate.refresh_from_db()
    assert certificate.pdf_status == Certificate.PdfStatus.READY, output
    # The worker's storages each write under their own folder of tmp_path.
    (stored,) = tmp_path.glob(f"*/{certificate.pdf.name}")
    assert stored.read_bytes().startswith(b"%PDF")
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists()
    assert DBTaskResult.objects.filter(
        task_path=lost.task_path, status=TaskResultStatus.SUCCESSFUL
    ).exists()
