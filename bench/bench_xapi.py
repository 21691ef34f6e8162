"""xAPI statements from many learners at once, through gunicorn, on PostgreSQL.

Eight learners, each logged in with their own session, post new ``answered`` statements
with scores (the H5P player's busiest traffic) from eight threads to gunicorn serving the
site on this machine. Targets: at least 180 statements a second, and at most 6 queries per
statement (counted in-process on the same request). The learners are enrolled on a course
whose lesson holds the activity, so the permission check is the courses app's real attempt
policy.

Needs PostgreSQL (``DATABASE_URL=postgres://...``); on SQLite it prints why and skips, since
SQLite takes one writer at a time by design.
"""

from __future__ import annotations

import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from decimal import Decimal
from http.client import HTTPConnection
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.harness import Result

CLIENTS = 8
STATEMENTS_PER_CLIENT = 250
WORKERS = int(os.environ.get("IMH_BENCH_GUNICORN_WORKERS", "4"))
THREADS = int(os.environ.get("IMH_BENCH_GUNICORN_THREADS", "2"))
TARGET = ">= 180/s, <= 6 queries"
ROOT = Path(__file__).resolve().parent.parent


def _build():
    from imh_assessments.models import ActivityPlacement, H5PActivity
    from imh_courses.models import CourseIndexPage, CoursePage, Enrolment, LessonPage, ModulePage
    from imh_courses.services.learning import enrolment_create
    from tests.factories import UserFactory

    activity = H5PActivity.objects.filter(title="Benchmark activity").first()
    if activity is None:
        activity = H5PActivity(title="Benchmark activity", pass_mark=90)
        activity.package.name = "h5p/packages/bench.h5p"
        activity.save()
    course = CoursePage.objects.filter(slug="bench-xapi-course").first()
    if course is None:
        course = CourseIndexPage.objects.get().add_child(
            instance=CoursePage(
                title="xAPI benchmark course",
                slug="bench-xapi-course",
                summary="One lesson with an H5P activity.",
                cpd_hours=Decimal("1.0"),
                estimated_hours=Decimal("1.0"),
            )
        )
        course.save_revision().publish()
        module = course.add_child(instance=ModulePage(title="Module 1", slug="module-1"))
        module.save_revision().publish()
        lesson = module.add_child(
            instance=LessonPage(
                title="Answer the question",
                slug="lesson-1",
                body=[("h5p", {"activity": activity, "required": True})],
            )
        )
        lesson.save_revision().publish()
    if not ActivityPlacement.objects.filter(activity_type="h5p", activity_id=activity.pk).exists():
        raise RuntimeError("Publishing the lesson did not place the activity.")
    users = []
    for number in range(CLIENTS):
        user = UserFactory(username=f"bench-xapi-{number}")
        if not Enrolment.objects.filter(user=user, course=course).exists():
            enrolment_create(user=user, course=course)
        users.append(user)
    return activity, users


def _statement(user, activity_iri: str, raw: int) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": settings.WAGTAILADMIN_BASE_URL, "name": str(user.pk)},
        },
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"objectType": "Activity", "id": activity_iri},
        "result": {
            "score": {"raw": raw, "min": 0, "max": 10, "scaled": raw / 10},
            "completion": True,
            "success": raw >= 9,
        },
    }


def _queries_per_statement(activity, user) -> int:
    """Queries for one new statement through the whole stack, cache warm."""
    client = Client()
    client.force_login(user)
    iri = f"http://testserver/assessments/h5p/{activity.uuid}"
    headers = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}

    def post():
        response = client.post(
            "/xapi/statements",
            json.dumps(_statement(user, iri, 5)),
            content_type="application/json",
            **headers,
        )
        assert response.status_code == 200, response.content

    post()
    with CaptureQueriesContext(connection) as captured:
        post()
    return len(captured.captured_queries)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(port: int) -> subprocess.Popen:
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "cms.settings.test"),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(  # noqa: S603 (a fixed command line)
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "cms.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "gthread",
            "--threads",
            str(THREADS),
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start.")


def _log_in(base: str, user):
    import requests

    from tests.factories import DEFAULT_PASSWORD

    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    response = session.post(
        f"{base}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "login": user.email, "password": DEFAULT_PASSWORD},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=60,
    )
    if "sessionid" not in session.cookies:
        raise RuntimeError(f"Could not log in as {user.email}: {response.status_code}")
    session.headers.update(
        {
            "X-CSRFToken": session.cookies["csrftoken"],
            "X-Experience-API-Version": "1.0.3",
            "Content-Type": "application/json",
            "Referer": f"{base}/",
        }
    )
    return session


def run() -> list[Result]:
    if connection.vendor != "postgresql":
        print(
            "bench_xapi: skipped, needs PostgreSQL (DATABASE_URL=postgres://...); "
            "SQLite takes one writer at a time by design.",
            flush=True,
        )
        return []
    from imh_assessments.models import ActivityResult, XAPIStatement

    activity, users = _build()
    queries = _queries_per_statement(activity, users[0])
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    iri = f"{base}/assessments/h5p/{activity.uuid}"
    server = _start_gunicorn(port)
    try:
        sessions = [_log_in(base, user) for user in users]
        # Warm every worker's activity cache and connections.
        for session, user in zip(sessions, users, strict=True):
            for _ in range(WORKERS):
                session.post(f"{base}/xapi/statements", json.dumps(_statement(user, iri, 1)))
        before = XAPIStatement.objects.count()
        barrier = threading.Barrier(CLIENTS)
        latencies: list[list[float]] = [[] for _ in range(CLIENTS)]
        failures: list[str] = []

        def client(index: int) -> None:
            session, user = sessions[index], users[index]
            headers = {
                **session.headers,
                "Cookie": "; ".join(f"{c.name}={c.value}" for c in session.cookies),
            }
            bodies = [
                json.dumps(_statement(user, iri, n % 11)) for n in range(STATEMENTS_PER_CLIENT)
            ]
            # One kept-alive connection per client, as a browser would hold.
            http = HTTPConnection("127.0.0.1", port, timeout=30)
            barrier.wait()
            for body in bodies:
                start = time.perf_counter()
                http.request("POST", "/xapi/statements", body=body, headers=headers)
                response = http.getresponse()
                text = response.read()
                latencies[index].append((time.perf_counter() - start) * 1000)
                if response.status != 200:
                    failures.append(f"{response.status} {text[:200]!r}")
            http.close()

        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    total = CLIENTS * STATEMENTS_PER_CLIENT
    stored = XAPIStatement.objects.count() - before
    if failures or stored != total:
        raise RuntimeError(f"{len(failures)} failed, {stored} of {total} stored: {failures[:3]}")
    rate = total / elapsed
    timings = sorted(t for client_timings in latencies for t in client_timings)
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    attempts = sum(
        ActivityResult.objects.filter(activity=activity).values_list("attempts", flat=True)
    )
    print(
        f"bench_xapi: {total} statements from {CLIENTS} clients in {elapsed:.2f} s = "
        f"{rate:.0f} statements/s (gunicorn, {WORKERS} gthread workers x {THREADS} threads, "
        f"courses attempt policy, load average {os.getloadavg()[0]:.1f}); "
        f"{queries} queries per statement; results count {attempts} attempts",
        flush=True,
    )
    return [
        Result(
            f"xapi POST, {CLIENTS} clients: {rate:.0f}/s",
            statistics.median(timings),
            p95,
            queries,
            TARGET,
        )
    ]
