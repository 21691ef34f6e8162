"""Real concurrency on PostgreSQL: one completion, one certificate, however many issue it at once.

Each thread works in its own database connection and they start together (a barrier). In the
first test the step between "is there a certificate already?" and the insert is slowed down,
so both threads certainly find none and both insert: the partial unique constraint stops the
second insert, and the service hands back the first thread's certificate. Without that
handling the second thread fails with an IntegrityError.
"""

from __future__ import annotations

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, connections

from imh_accounts.models import Profile
from imh_certificates import services
from imh_certificates.models import Certificate, CertificateEvent
from imh_courses.models import CourseCompletion
from imh_courses.services.learning import enrolment_create, lesson_complete
from tests.courses.factories import create_course, lessons_of
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _postgresql_only(db):
    if connection.vendor != "postgresql":
        pytest.skip(
            "Needs PostgreSQL: SQLite takes one writer at a time, so it cannot show the race. "
            "Run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/imh_certificates."
        )


@pytest.fixture(autouse=True)
def _no_pdf(monkeypatch):
    """The race is about the record; the PDF is rendered elsewhere."""
    monkeypatch.setattr(services, "_pdf_render_enqueue", lambda certificate_id: None)


@pytest.fixture
def slow_name(monkeypatch):
    """Hold each transaction open between its check for a certificate and its insert."""
    name_for = services.holder_name_for

    def named_slowly(user):
        name = name_for(user)
        time.sleep(0.3)
        return name

    monkeypatch.setattr(services, "holder_name_for", named_slowly)


def at_once(calls) -> tuple[list, list[Exception]]:
    """Run each callable in its own thread and connection, all starting together."""
    barrier = threading.Barrier(len(calls))
    results: list = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def run(call) -> None:
        try:
            barrier.wait(timeout=10)
            result = call()
            with lock:
                results.append(result)
        except Exception as error:  # reported by the test, not lost in the thread
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


@pytest.fixture
def trainee():
    user = UserFactory()
    Profile.objects.create(user=user, full_name="Jordan Achebe")
    return user


def test_two_workers_issuing_for_one_completion_make_one_certificate(trainee, slow_name):
    source = trainee.profile

    def issue():
        return services.certificate_issue(
            holder=trainee,
            kind=Certificate.Kind.COURSE,
            source=source,
            title="Foundations",
            cpd_hours=Decimal("3.0"),
            completed_on=datetime.date(2026, 11, 2),
        ).pk

    results, errors = at_once([issue, issue])

    assert errors == []
    assert len(results) == 2
    assert results[0] == results[1]
    assert Certificate.objects.count() == 1
    assert CertificateEvent.objects.filter(action="issued").count() == 1


def test_two_requests_completing_the_last_lesson_at_once(trainee):
    course = create_course(modules=1, lessons_per_module=2, publish=False)
    first, last = lessons_of(course)
    enrolment_create(user=trainee, course=course)
    lesson_complete(user=trainee, lesson=first)

    def complete_last():
        return lesson_complete(user=trainee, lesson=last).pk

    results, errors = at_once([complete_last, complete_last])

    assert errors == []
    assert len(results) == 2
    completion = CourseCompletion.objects.get()
    certificate = Certificate.objects.get()
    assert certificate.source_type == "imh_courses.coursecompletion"
    assert certificate.source_id == completion.pk
    assert certificate.holder_name == "Jordan Achebe"


def test_completing_the_last_two_lessons_in_two_tabs_at_once(trainee):
    course = create_course(modules=1, lessons_per_module=2, publish=False)
    first, second = lessons_of(course)
    enrolment_create(user=trainee, course=course)

    results, errors = at_once(
        [
            lambda: lesson_complete(user=trainee, lesson=first).pk,
            lambda: lesson_complete(user=trainee, lesson=second).pk,
        ]
    )

    assert errors == []
    assert len(results) == 2
    assert CourseCompletion.objects.count() == 1
    assert Certificate.objects.count() == 1
