"""The xAPI resources refuse JSON nested too deep, too big or malformed with a clear 4xx."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from imh_assessments.models import ActivityState, XAPIStatement
from imh_assessments.xapi.statements import MAX_JSON_DEPTH, MAX_STATE_BYTES, MAX_STATEMENT_BYTES
from tests.assessments.xapi_helpers import (
    agent,
    attempt_policy,
    bare_activity,
    iri,
    place,
    statement,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/xapi/statements"
HEADERS = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}


@pytest.fixture
def trainee():
    return UserFactory(username="trainee")


@pytest.fixture
def activity():
    activity = bare_activity()
    place(activity)
    return activity


@pytest.fixture
def client(trainee, activity):
    client = Client(raise_request_exception=False)
    client.force_login(trainee)
    with attempt_policy(trainee):
        yield client


def nested_lists(depth: int) -> str:
    return "[" * depth + "]" * depth


def post(client, data: str):
    return client.post(URL, data, content_type="application/json", **HEADERS)


def assert_refused(response, status: int, words: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response["X-Experience-API-Version"] == "1.0.3"
    assert words in response.json()["error"]


def test_the_deepest_nesting_that_fits_is_refused_as_too_deep(client):
    depth = MAX_STATEMENT_BYTES // 2
    response = post(client, nested_lists(depth))
    assert_refused(response, 400, f"nested more than {MAX_JSON_DEPTH} levels")
    assert not XAPIStatement.objects.exists()


def test_100000_nested_lists_are_refused_as_too_big(client):
    assert_refused(post(client, nested_lists(100_000)), 413, "larger than")


def test_deep_objects_are_refused(client):
    depth = 10_000
    response = post(client, '{"a":' * depth + "1" + "}" * depth)
    assert_refused(response, 400, "nested more than")


def test_one_level_over_the_limit_is_refused(client):
    assert_refused(post(client, nested_lists(MAX_JSON_DEPTH + 1)), 400, "nested more than")


def test_a_statement_nested_up_to_the_limit_is_stored(client, trainee, activity):
    body = statement(trainee, activity)
    # The statement, "result" and "extensions" are three levels; the value fills the rest.
    value: object = 1
    for _ in range(MAX_JSON_DEPTH - 3):
        value = [value]
    body["result"] = {"extensions": {"https://example.org/x": value}}
    response = post(client, json.dumps(body))
    assert response.status_code == 200, response.content
    assert XAPIStatement.objects.count() == 1


def test_brackets_inside_strings_do_not_count(client, trainee, activity):
    text = '\\"[{' * 2000
    body = statement(trainee, activity, result={"response": text})
    response = post(client, json.dumps(body))
    assert response.status_code == 200, response.content
    assert XAPIStatement.objects.get().raw["result"]["response"] == text


def test_a_long_flat_batch_or_string_is_bounded_by_the_size_limit(client, trainee, activity):
    assert_refused(post(client, "[" + ",".join(["1"] * 40_000) + "]"), 413, "larger than")
    long_text = "x" * MAX_STATEMENT_BYTES
    body = statement(trainee, activity, result={"response": long_text})
    assert_refused(post(client, json.dumps(body)), 413, "larger than")
    assert not XAPIStatement.objects.exists()


def test_deep_state_documents_are_refused(client, activity):
    url = "/xapi/activities/state?" + urlencode({"activityId": iri(activity), "stateId": "s"})
    response = client.put(
        url, nested_lists(MAX_STATE_BYTES // 2), content_type="application/json", **HEADERS
    )
    assert_refused(response, 400, "nested more than")
    assert not ActivityState.objects.exists()


def test_a_deep_agent_parameter_is_refused(client, trainee, activity):
    query = {"activityId": iri(activity), "stateId": "s", "agent": nested_lists(5_000)}
    response = client.get("/xapi/activities/state?" + urlencode(query), **HEADERS)
    assert_refused(response, 400, "agent")
    query["agent"] = json.dumps(agent(trainee))
    assert client.get("/xapi/activities/state?" + urlencode(query)).status_code == 404
