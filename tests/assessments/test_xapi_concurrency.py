"""The same statement posted twice at once is stored once, and both posts succeed."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection, connections
from django.test import Client

from imh_assessments.models import ActivityResult, XAPIStatement
from tests.assessments.xapi_helpers import attempt_policy, bare_activity, place, statement
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_parallel_duplicates_are_stored_once():
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL: SQLite serialises writers, so there is no race to test.")
    trainee = UserFactory(username="racer")
    activity = bare_activity()
    place(activity)
    body = json.dumps(statement(trainee, activity, score=(1, 1)))
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def post():
        client = Client()
        client.force_login(trainee)
        try:
            barrier.wait()
            response = client.post("/xapi/statements", body, content_type="application/json")
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    with attempt_policy(trainee):
        for _ in range(5):
            XAPIStatement.objects.all().delete()
            ActivityResult.objects.all().delete()
            statuses.clear()
            threads = [threading.Thread(target=post) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert statuses == [200, 200]
            assert XAPIStatement.objects.count() == 1
            assert ActivityResult.objects.get().attempts == 1
