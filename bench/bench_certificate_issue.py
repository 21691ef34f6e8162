"""Issuing 1,000 certificates with 2 task workers on PostgreSQL, until every PDF is ready.

Two ``manage.py db_worker`` processes (the database task backend, settings
``bench.settings_tasks``) are started and left idle; then the clock starts, 1,000
certificates are issued through ``imh_certificates.services.certificate_issue`` (one transaction
each, as completions arrive; each queues its PDF render when it commits), and the clock stops
when all 1,000 certificates have their PDF. Target: under 2 minutes on a 2-core machine.

Needs PostgreSQL (``DATABASE_URL=postgres://...``); on SQLite it prints why and skips, since
SQLite takes one writer at a time by design. ``IMH_BENCH_CERTIFICATES`` changes the number.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from bench.harness import Result

CERTIFICATES = int(os.environ.get("IMH_BENCH_CERTIFICATES", "1000"))
WORKERS = 2
TIMEOUT_SECONDS = 600
TARGET = "< 120 s"
ROOT = Path(__file__).resolve().parent.parent
USERNAME_PREFIX = "bench-cert-"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _database_url() -> str:
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    return (
        f"postgres://{database['USER']}{password}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )


def _clean() -> None:
    """Remove what an earlier run left (the benchmark database is kept between runs)."""
    from django.contrib.auth import get_user_model
    from django_tasks_db.models import DBTaskResult

    from imh_certificates.models import Certificate

    Certificate.objects.filter(holder__username__startswith=USERNAME_PREFIX).delete()
    get_user_model().objects.filter(username__startswith=USERNAME_PREFIX).delete()
    DBTaskResult.objects.all().delete()


def _holders(count: int) -> list:
    """People to certify; each is also the certificate's source (one per completion)."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    run = uuid.uuid4().hex[:6]
    user_model.objects.bulk_create(
        user_model(
            username=f"{USERNAME_PREFIX}{run}-{number}",
            email=f"{USERNAME_PREFIX}{run}-{number}@example.org",
            first_name="Bench",
            last_name=f"Trainee {number}",
        )
        for number in range(count)
    )
    return list(
        user_model.objects.filter(username__startswith=f"{USERNAME_PREFIX}{run}-").order_by("pk")
    )


def _start_workers(media_root: str) -> list[subprocess.Popen]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "bench.settings_tasks",
        "IMH_BENCH_MEDIA_ROOT": media_root,
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    return [
        subprocess.Popen(  # noqa: S603 (a fixed command line)
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--queue-name",
                "*",
                "--interval",
                "0.2",
                "--no-startup-delay",
                "--no-reload",
                "--worker-id",
                f"bench-{number}",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for number in range(WORKERS)
    ]


def _stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()


def run() -> list[Result]:
    if connection.vendor != "postgresql":
        print(
            "bench_certificate_issue: skipped, needs PostgreSQL (DATABASE_URL=postgres://...); "
            "SQLite takes one writer at a time by design.",
            flush=True,
        )
        return []
    from django.db import transaction

    from imh_certificates.models import Certificate
    from imh_certificates.services import certificate_issue

    _clean()
    holders = _holders(CERTIFICATES)
    completed_on = timezone.localdate()
    expires_on = completed_on + datetime.timedelta(days=3 * 365)
    with tempfile.TemporaryDirectory(prefix="imh-bench-media-") as media_root:
        workers = _start_workers(media_root)
        try:
            # Let the workers import Django and reach their polling loop before timing.
            time.sleep(4)
            if any(worker.poll() is not None for worker in workers):
                raise RuntimeError("A db_worker process exited at start-up.")
            ids = []
            with override_settings(TASKS=DATABASE_TASKS, MEDIA_ROOT=media_root):
                started = time.perf_counter()
                for holder in holders:
                    with transaction.atomic():
                        certificate = certificate_issue(
                            holder=holder,
                            kind=Certificate.Kind.COURSE,
                            source=holder,
                            title="Infant mental health foundations",
                            cpd_hours=Decimal("3.0"),
                            completed_on=completed_on,
                            expires_on=expires_on,
                        )
                    ids.append(certificate.pk)
                issued = time.perf_counter() - started
                pending = Certificate.objects.filter(pk__in=ids).exclude(
                    pdf_status=Certificate.PdfStatus.READY
                )
                deadline = started + TIMEOUT_SECONDS
                while pending.exists():
                    if time.perf_counter() > deadline:
                        raise RuntimeError(
                            f"{pending.count()} of {len(ids)} PDFs were not ready after "
                            f"{TIMEOUT_SECONDS} s."
                        )
                    if any(worker.poll() is not None for worker in workers):
                        raise RuntimeError("A db_worker process died during the benchmark.")
                    time.sleep(0.2)
                elapsed = time.perf_counter() - started
        finally:
            _stop(workers)
    failed = Certificate.objects.filter(pk__in=ids, pdf_attempts__gt=1).count()
    print(
        f"bench_certificate_issue: {len(ids)} certificates issued in {issued:.1f} s, all "
        f"{len(ids)} PDFs ready after {elapsed:.1f} s with {WORKERS} workers "
        f"({len(ids) / elapsed:.1f} certificates/s; {failed} needed a retry)",
        flush=True,
    )
    per_certificate_ms = elapsed * 1000 / len(ids)
    return [
        Result(
            f"issue {len(ids)} certificates + PDFs, {WORKERS} workers (total s)",
            elapsed,
            elapsed,
            0,
            TARGET,
        ),
        Result(
            "issue + PDF, per certificate (ms)",
            per_certificate_ms,
            per_certificate_ms,
            0,
            "< 120 ms",
        ),
    ]
