"""The xAPI statement resource: recording, replays, conflicts, refusals and results."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client
from django.utils.crypto import get_random_string

from imh_assessments.models import ActivityResult, H5PActivityCompetency, XAPIStatement
from imh_assessments.signals import activity_passed
from imh_competencies.models import Evidence
from tests.assessments.xapi_helpers import (
    ADL,
    attempt_policy,
    bare_activity,
    iri,
    place,
    statement,
)
from tests.competencies.factories import CompetencyFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/xapi/statements"
HEADERS = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}


@pytest.fixture
def trainee():
    return UserFactory(username="trainee")


@pytest.fixture
def activity():
    activity = bare_activity(pass_mark=80)
    place(activity)
    return activity


@pytest.fixture
def client(trainee, activity):
    client = Client()
    client.force_login(trainee)
    with attempt_policy(trainee):
        yield client


def post(client, body, **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data, content_type="application/json", **HEADERS, **extra)


def test_post_stores_the_statement_and_returns_its_id(client, trainee, activity):
    body = statement(trainee, activity, score=(1, 1))
    response = post(client, body)
    assert response.status_code == 200
    assert response.json() == [body["id"]]
    assert response["X-Experience-API-Version"].startswith("1.0")
    stored = XAPIStatement.objects.get()
    assert str(stored.statement_id) == body["id"]
    assert stored.user == trainee
    assert stored.activity == activity
    assert stored.raw["result"]["score"] == {"raw": 1, "min": 0, "max": 1, "scaled": 1.0}
    assert stored.raw["actor"]["account"]["name"] == str(trainee.pk)
    assert stored.score_scaled == 1.0
    assert stored.success is True


def test_the_result_follows_the_answers(client, trainee, activity):
    assert post(client, statement(trainee, activity, score=(1, 2))).status_code == 200
    result = ActivityResult.objects.get(user=trainee, activity=activity)
    assert (result.attempts, result.score, result.passed) == (1, 0.5, False)
    assert post(client, statement(trainee, activity, score=(2, 2))).status_code == 200
    result.refresh_from_db()
    assert (result.attempts, result.first_score, result.last_score) == (2, 0.5, 1.0)
    assert (result.best_score, result.score, result.passed) == (1.0, 1.0, True)
    assert result.passed_at is not None


@pytest.mark.parametrize(("policy", "expected"), [("best", 0.9), ("last", 0.2), ("first", 0.5)])
def test_scoring_policy_decides_the_score(trainee, policy, expected):
    activity = bare_activity(scoring_policy=policy, pass_mark=95)
    place(activity)
    client = Client()
    client.force_login(trainee)
    with attempt_policy(trainee):
        for raw in (5, 9, 2):
            assert post(client, statement(trainee, activity, score=(raw, 10))).status_code == 200
    result = ActivityResult.objects.get()
    assert result.score == pytest.approx(expected)
    assert result.attempts == 3
    assert not result.passed


def test_first_pass_records_evidence_and_signals_once(
    client, trainee, activity, django_capture_on_commit_callbacks
):
    competency = CompetencyFactory()
    H5PActivityCompetency.objects.create(activity=activity, competency=competency, level=2)
    received = []

    def receiver(**kwargs):
        received.append(kwargs)

    activity_passed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            post(client, statement(trainee, activity, score=(0, 1)))
            assert not Evidence.objects.exists()
            post(client, statement(trainee, activity, score=(1, 1)))
            post(client, statement(trainee, activity, score=(1, 1)))
    finally:
        activity_passed.disconnect(receiver)
    assert len(received) == 1
    assert received[0]["activity_type"] == "h5p"
    assert received[0]["activity_id"] == activity.pk
    assert received[0]["user"] == trainee
    assert received[0]["page_ids"]
    evidence = Evidence.objects.get()
    assert evidence.user == trainee
    assert evidence.competency == competency
    assert evidence.level == 2
    assert evidence.kind == Evidence.Kind.H5P
    assert evidence.source_type == "imh_assessments.activityresult"
    assert evidence.title == activity.title


def test_a_pass_is_kept_after_a_lower_attempt(client, trainee, activity):
    activity.scoring_policy = "last"
    activity.save()
    post(client, statement(trainee, activity, score=(1, 1)))
    post(client, statement(trainee, activity, score=(0, 1)))
    result = ActivityResult.objects.get()
    assert result.score == 0
    assert result.passed


def test_passed_verb_without_score_passes(client, trainee, activity):
    post(client, statement(trainee, activity, verb="passed"))
    assert ActivityResult.objects.get().passed


def test_other_verbs_are_stored_but_do_not_count(client, trainee, activity):
    for verb in ("attempted", "interacted", "progressed"):
        assert post(client, statement(trainee, activity, verb=verb)).status_code == 200
    assert XAPIStatement.objects.count() == 3
    assert not ActivityResult.objects.exists()


def test_sub_content_statements_are_stored_but_do_not_count(client, trainee, activity):
    by_query = statement(trainee, activity, score=(1, 1))
    by_query["object"]["id"] = iri(activity) + "?subContentId=4a1f"
    by_parent = statement(trainee, activity, score=(1, 1))
    by_parent["object"]["id"] = "http://example.org/some-question"
    by_parent["context"] = {"contextActivities": {"parent": [{"id": iri(activity)}]}}
    assert post(client, [by_query, by_parent]).status_code == 200
    assert XAPIStatement.objects.filter(is_subcontent=True).count() == 2
    assert not ActivityResult.objects.exists()


def test_the_same_statement_twice_is_stored_once(client, trainee, activity):
    body = statement(trainee, activity, score=(1, 1))
    assert post(client, body).status_code == 200
    assert post(client, body).status_code == 200
    put = client.put(
        f"{URL}?statementId={body['id']}", json.dumps(body), content_type="application/json"
    )
    assert put.status_code == 204
    assert XAPIStatement.objects.count() == 1
    assert ActivityResult.objects.get().attempts == 1


def test_the_same_id_with_another_body_is_a_conflict(client, trainee, activity):
    body = statement(trainee, activity, score=(1, 1))
    post(client, body)
    changed = {**body, "result": {"score": {"raw": 0, "min": 0, "max": 1, "scaled": 0}}}
    response = post(client, changed)
    assert response.status_code == 409
    assert "another body" in response.json()["error"]
    assert XAPIStatement.objects.count() == 1
    assert ActivityResult.objects.get().score == 1.0


def test_a_batch_with_a_conflict_stores_nothing(client, trainee, activity):
    first = statement(trainee, activity, score=(1, 1))
    post(client, first)
    changed = {**first, "verb": {"id": ADL + "completed"}}
    response = post(client, [statement(trainee, activity, score=(1, 1)), changed])
    assert response.status_code == 409
    assert XAPIStatement.objects.count() == 1


def test_put_stores_under_the_given_id(client, trainee, activity):
    body = statement(trainee, activity, score=(1, 1))
    del body["id"]
    statement_id = str(uuid.uuid4())
    response = client.put(
        f"{URL}?statementId={statement_id}",
        json.dumps(body),
        content_type="application/json",
        **HEADERS,
    )
    assert response.status_code == 204
    assert response["X-Experience-API-Version"].startswith("1.0")
    assert str(XAPIStatement.objects.get().statement_id) == statement_id


def test_post_without_id_gets_one(client, trainee, activity):
    body = statement(trainee, activity)
    del body["id"]
    response = post(client, body)
    assert response.status_code == 200
    assert uuid.UUID(response.json()[0])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda b: b.update(result={"score": {"scaled": 1.5}}), "between -1 and 1"),
        (lambda b: b.update(result={"score": {"raw": 5, "min": 0, "max": 4}}), "above"),
        (lambda b: b.update(result={"score": {"raw": -1, "min": 0, "max": 4}}), "below"),
        (lambda b: b.update(result={"score": {"raw": 1, "min": 4, "max": 4}}), "greater than"),
        (lambda b: b.update(result={"score": {"raw": "9"}}), "must be a number"),
        (lambda b: b.update(result={"success": "yes"}), "true or false"),
        (lambda b: b.pop("verb"), "no verb"),
        (lambda b: b.pop("object"), "no object"),
        (lambda b: b.pop("actor"), "no actor"),
        (lambda b: b.update(id="not-a-uuid"), "UUID"),
        (lambda b: b.update(verb="answered"), "verb.id"),
    ],
)
def test_bad_statements_are_refused_and_nothing_is_stored(
    client, trainee, activity, change, message
):
    body = statement(trainee, activity)
    change(body)
    response = post(client, body)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not XAPIStatement.objects.exists()
    assert not ActivityResult.objects.exists()


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"a string"', "[]"])
def test_malformed_bodies_are_refused(client, body):
    response = post(client, body)
    assert response.status_code == 400
    assert response.json()["error"]
    assert not XAPIStatement.objects.exists()


def test_logged_out_is_refused(trainee, activity):
    response = post(Client(), statement(trainee, activity))
    assert response.status_code == 401
    assert "Log in" in response.json()["error"]
    assert not XAPIStatement.objects.exists()


def test_missing_csrf_token_is_refused(trainee, activity):
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainee)
    with attempt_policy(trainee):
        response = post(client, statement(trainee, activity))
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]
    assert not XAPIStatement.objects.exists()


def test_csrf_header_is_accepted(trainee, activity):
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainee)
    token = get_random_string(32)
    client.cookies["csrftoken"] = token
    with attempt_policy(trainee):
        response = post(client, statement(trainee, activity), HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200


def test_a_statement_for_another_user_is_refused(client, activity):
    other = UserFactory(username="someone-else")
    for actor in (
        {"mbox": f"mailto:{other.email}"},
        {"account": {"homePage": "http://testserver", "name": str(other.pk)}},
        {"name": "Anyone"},
    ):
        body = statement(other, activity)
        body["actor"] = actor
        response = post(client, body)
        assert response.status_code == 403
        assert "yourself" in response.json()["error"]
    assert not XAPIStatement.objects.exists()


def test_own_mbox_is_accepted_and_stored_as_the_account(client, trainee, activity):
    body = statement(trainee, activity)
    body["actor"] = {"mbox": f"mailto:{trainee.email.upper()}", "name": "Me"}
    assert post(client, body).status_code == 200
    assert "mbox" not in XAPIStatement.objects.get().raw["actor"]


def test_not_permitted_is_refused(activity):
    outsider = UserFactory(username="outsider")
    client = Client()
    client.force_login(outsider)
    with attempt_policy(UserFactory(username="enrolled")):
        response = post(client, statement(outsider, activity, score=(1, 1)))
    assert response.status_code == 403
    assert "not enrolled" in response.json()["error"]
    assert not XAPIStatement.objects.exists()


def test_an_activity_not_placed_anywhere_cannot_be_attempted(client, trainee):
    unplaced = bare_activity(title="Not in any lesson")
    response = post(client, statement(trainee, unplaced))
    assert response.status_code == 403


def test_unknown_activity_is_not_found(client, trainee, activity):
    body = statement(trainee, activity)
    body["object"]["id"] = f"http://testserver/assessments/h5p/{uuid.uuid4()}"
    assert post(client, body).status_code == 404
    body["object"]["id"] = "http://example.org/elsewhere"
    response = post(client, body)
    assert response.status_code == 404
    assert "not about an activity" in response.json()["error"]
    assert not XAPIStatement.objects.exists()


def test_too_big_is_refused(client, trainee, activity):
    body = statement(trainee, activity)
    body["context"] = {"extensions": {"http://example.org/padding": "x" * 70_000}}
    response = post(client, body)
    assert response.status_code == 413
    assert not XAPIStatement.objects.exists()


def test_unsupported_version_is_refused(client, trainee, activity):
    response = client.post(
        URL,
        json.dumps(statement(trainee, activity)),
        content_type="application/json",
        HTTP_X_EXPERIENCE_API_VERSION="2.0.0",
    )
    assert response.status_code == 400
    assert not XAPIStatement.objects.exists()


def test_get_is_not_allowed(client):
    assert client.get(URL).status_code == 405


def test_hot_path_query_count(client, trainee, activity, django_assert_max_num_queries):
    # The first statement fills the activity cache; every later answer is the hot path.
    post(client, statement(trainee, activity, score=(0, 2)))
    with django_assert_max_num_queries(6):
        response = post(client, statement(trainee, activity, score=(1, 2)))
    assert response.status_code == 200
    assert ActivityResult.objects.get().attempts == 2


def test_hot_path_with_the_courses_policy(django_assert_max_num_queries):
    """The real attempt policy (enrolment on the lesson's course) within the same budget."""
    from imh_courses.services.learning import enrolment_create
    from tests.courses.factories import create_course, lessons_of

    activity = bare_activity(pass_mark=100)
    course = create_course(modules=1, lessons_per_module=1)
    lesson = lessons_of(course)[0]
    lesson.body.append(("h5p", {"activity": activity, "required": True}))
    lesson.save_revision().publish()
    enrolled, outsider = UserFactory(username="enrolled"), UserFactory(username="outsider")
    enrolment_create(user=enrolled, course=course)
    client = Client()
    client.force_login(enrolled)
    post(client, statement(enrolled, activity, score=(0, 2)))
    with django_assert_max_num_queries(6):
        assert post(client, statement(enrolled, activity, score=(1, 2))).status_code == 200
    client.force_login(outsider)
    assert post(client, statement(outsider, activity, score=(2, 2))).status_code == 403
    assert ActivityResult.objects.get().attempts == 2


def test_a_batch_of_passes_signals_once(
    client, trainee, activity, django_capture_on_commit_callbacks
):
    received = []

    def receiver(**kwargs):
        received.append(kwargs)

    activity_passed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            batch = [statement(trainee, activity, score=(1, 1)) for _ in range(3)]
            assert post(client, batch).status_code == 200
    finally:
        activity_passed.disconnect(receiver)
    assert len(received) == 1
    assert ActivityResult.objects.get().attempts == 3
