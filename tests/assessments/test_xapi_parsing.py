"""xAPI statements and documents read on their own: no database, no request."""

from __future__ import annotations

import math
import uuid
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from imh_assessments.xapi.identifiers import (
    activity_iri,
    activity_uuid_from_iri,
    actor_is_user,
    learner_agent,
)
from imh_assessments.xapi.statements import (
    ADL,
    ActivityNotFound,
    statement_parse,
    xapi_document_parse,
)

ACTIVITY = uuid.UUID("6f1c2b9e-3d4a-4c5b-8e7f-0a1b2c3d4e5f")
OTHER_ACTIVITY = uuid.UUID("0b7e1c55-9a2d-4f6e-b3c8-5d4e3f2a1b0c")


def nested_lists(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def learner():
    # Unsaved: parsing needs only the id and the email.
    return get_user_model()(pk=41, username="learner", email="Learner@example.org")


def iri_of(activity: uuid.UUID = ACTIVITY, query: str = "") -> str:
    base_url = settings.WAGTAILADMIN_BASE_URL
    return activity_iri(activity=SimpleNamespace(uuid=activity), base_url=base_url) + query


def body(user, *, verb: str = "answered", **extra) -> dict:
    return {
        "id": "2d5f0a3c-7b1e-4c9d-a6f8-3e2b1c0d9a8f",
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": settings.WAGTAILADMIN_BASE_URL, "name": str(user.pk)},
        },
        "verb": {"id": ADL + verb, "display": {"en-US": verb}},
        "object": {"objectType": "Activity", "id": iri_of()},
        **extra,
    }


# Documents.


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"a": [1, {"b": "]]}}"}]}', {"a": [1, {"b": "]]}}"}]}),
        ('"\\\\"', "\\"),
        ('["\\"[[["]', ['"[[[']),
    ],
)
def test_the_parser_reads_ordinary_json(raw, expected):
    assert xapi_document_parse(raw=raw) == expected


def test_the_parser_refuses_100000_nested_lists_without_recursing():
    with pytest.raises(ValidationError, match="nested more than"):
        xapi_document_parse(raw=nested_lists(100_000))


@pytest.mark.parametrize("raw", [b"\xff", b"{", b'"[[[', b"[1,]", b""])
def test_the_parser_refuses_malformed_json(raw):
    with pytest.raises(ValidationError, match="not valid JSON"):
        xapi_document_parse(raw=raw)


def test_the_parser_names_what_it_read():
    with pytest.raises(ValidationError, match="agent is not valid JSON"):
        xapi_document_parse(raw="{", name="agent")


# Identifiers.


def test_an_activity_iri_reads_back_as_its_activity():
    iri = activity_iri(activity=SimpleNamespace(uuid=ACTIVITY), base_url="https://example.org/")
    assert iri == f"https://example.org/assessments/h5p/{ACTIVITY}"
    assert activity_uuid_from_iri(iri) == (str(ACTIVITY), False)
    # Any host, and the uuid in capitals: the activity is the same.
    upper = f"http://127.0.0.1:8000/assessments/h5p/{str(ACTIVITY).upper()}/"
    assert activity_uuid_from_iri(upper) == (str(ACTIVITY), False)


def test_a_sub_content_iri_is_marked_as_such():
    assert activity_uuid_from_iri(iri_of(query="?subContentId=abc")) == (str(ACTIVITY), True)


@pytest.mark.parametrize(
    "iri",
    [
        None,
        42,
        "https://example.org/assessments/h5p/not-a-uuid",
        f"https://example.org/elsewhere/{ACTIVITY}",
        f"https://example.org/assessments/h5p/{ACTIVITY}/more",
        f"https://example.org/assessments/h5p/{ACTIVITY}?" + "x" * 500,
    ],
)
def test_other_iris_are_not_activities_here(iri):
    assert activity_uuid_from_iri(iri) is None


def test_the_actor_is_the_learner_by_account_or_email(learner):
    agent = learner_agent(user=learner)
    assert agent == {
        "objectType": "Agent",
        "account": {"homePage": settings.WAGTAILADMIN_BASE_URL, "name": "41"},
    }
    assert actor_is_user(agent, learner)
    with_slash = {"account": {"homePage": settings.WAGTAILADMIN_BASE_URL + "/", "name": 41}}
    assert actor_is_user(with_slash, learner)
    assert actor_is_user({"mbox": "mailto:learner@EXAMPLE.org"}, learner)


@pytest.mark.parametrize(
    "actor",
    [
        None,
        "41",
        {"mbox": "mailto:someone@example.org"},
        {"account": {"homePage": "https://elsewhere.example.org", "name": "41"}},
        {"account": {"homePage": settings.WAGTAILADMIN_BASE_URL, "name": "42"}},
        {"account": "41"},
    ],
)
def test_any_other_actor_is_not_the_learner(learner, actor):
    assert not actor_is_user(actor, learner)


# Statements.


def test_a_scored_answer_is_read_into_its_parts(learner):
    statement = body(
        learner,
        result={
            "score": {"raw": 3, "min": 0, "max": 4, "scaled": 0.75},
            "success": False,
            "completion": True,
        },
        stored="2024-01-01T00:00:00Z",
        authority={"mbox": "mailto:lrs@example.org"},
    )

    parsed = statement_parse(statement=statement, user=learner)

    assert parsed.statement_id == uuid.UUID(statement["id"])
    assert parsed.activity_uuid == str(ACTIVITY)
    assert parsed.verb == ADL + "answered"
    assert parsed.object_iri == iri_of()
    assert not parsed.is_subcontent
    assert parsed.counts_for_result
    assert (parsed.score_scaled, parsed.score_raw, parsed.score_min, parsed.score_max) == (
        0.75,
        3.0,
        0.0,
        4.0,
    )
    assert (parsed.success, parsed.completion) == (False, True)
    # What is stored: the site's own agent, and none of the fields a server sets.
    assert parsed.raw["actor"] == learner_agent(user=learner)
    assert "stored" not in parsed.raw
    assert "authority" not in parsed.raw


def test_the_same_statement_written_another_way_has_the_same_fingerprint(learner):
    first = body(learner)
    second = dict(reversed(list(body(learner).items())))
    second["actor"] = {"mbox": "mailto:learner@example.org"}
    changed = body(learner, result={"response": "true"})

    fingerprint = statement_parse(statement=first, user=learner).body_sha256
    assert statement_parse(statement=second, user=learner).body_sha256 == fingerprint
    assert statement_parse(statement=changed, user=learner).body_sha256 != fingerprint


def test_a_statement_without_an_id_gets_one_or_the_one_given(learner):
    statement = body(learner)
    del statement["id"]
    given = "c1f0e9d8-7a6b-4c5d-9e8f-1a2b3c4d5e6f"

    assert statement_parse(statement=statement, user=learner).statement_id.version == 4
    parsed = statement_parse(statement=statement, user=learner, statement_id=given)
    assert parsed.statement_id == uuid.UUID(given)
    assert parsed.raw["id"] == given


def test_an_id_that_differs_from_the_one_given_is_refused(learner):
    with pytest.raises(ValidationError, match="does not match the statementId"):
        statement_parse(
            statement=body(learner),
            user=learner,
            statement_id="c1f0e9d8-7a6b-4c5d-9e8f-1a2b3c4d5e6f",
        )


@pytest.mark.parametrize(
    ("score", "scaled"),
    [
        ({"raw": 3, "min": 1, "max": 5}, 0.5),
        ({"raw": 3, "max": 4}, 0.75),
        ({"raw": 3}, None),
        ({"raw": 2, "max": 4, "scaled": 0.9}, 0.9),
    ],
)
def test_the_scaled_score_is_worked_out_from_raw_when_missing(learner, score, scaled):
    parsed = statement_parse(statement=body(learner, result={"score": score}), user=learner)
    assert parsed.score_scaled == scaled


@pytest.mark.parametrize(
    ("verb", "success", "expected"),
    [
        ("passed", None, True),
        ("failed", None, False),
        ("passed", False, False),
        ("answered", None, None),
    ],
)
def test_passed_and_failed_stand_for_success_when_it_is_not_given(learner, verb, success, expected):
    result = {} if success is None else {"success": success}
    parsed = statement_parse(statement=body(learner, verb=verb, result=result), user=learner)
    assert parsed.success is expected


def test_other_verbs_do_not_count_for_the_result(learner):
    parsed = statement_parse(statement=body(learner, verb="interacted"), user=learner)
    assert not parsed.counts_for_result


def test_a_statement_about_sub_content_does_not_count(learner):
    statement = body(learner)
    statement["object"]["id"] = iri_of(query="?subContentId=7")

    parsed = statement_parse(statement=statement, user=learner)

    assert parsed.is_subcontent
    assert not parsed.counts_for_result


@pytest.mark.parametrize("parent", [{"id": iri_of()}, [{"id": iri_of()}]])
def test_a_part_named_only_by_its_parent_activity_is_sub_content(learner, parent):
    statement = body(learner, context={"contextActivities": {"parent": parent}})
    statement["object"]["id"] = "https://h5p.example.org/question/7"

    parsed = statement_parse(statement=statement, user=learner)

    assert (parsed.activity_uuid, parsed.is_subcontent) == (str(ACTIVITY), True)
    assert parsed.object_iri == "https://h5p.example.org/question/7"


def test_an_activity_whose_parent_is_itself_under_another_iri_is_sub_content(learner):
    parent = iri_of(query="?page=1")
    statement = body(learner, context={"contextActivities": {"parent": [{"id": parent}]}})
    assert statement_parse(statement=statement, user=learner).is_subcontent

    other = {"contextActivities": {"parent": [{"id": iri_of(OTHER_ACTIVITY)}]}}
    assert not statement_parse(statement=body(learner, context=other), user=learner).is_subcontent


def test_a_statement_about_something_else_is_not_found(learner):
    statement = body(learner)
    statement["object"]["id"] = "https://elsewhere.example.org/activity/1"
    with pytest.raises(ActivityNotFound):
        statement_parse(statement=statement, user=learner)


def test_a_statement_about_someone_else_is_refused(learner):
    statement = body(learner)
    statement["actor"] = {"mbox": "mailto:someone@example.org"}
    with pytest.raises(PermissionDenied):
        statement_parse(statement=statement, user=learner)


def _set(path: str, value):
    def change(statement: dict) -> None:
        *parents, last = path.split(".")
        target = statement
        for key in parents:
            target = target.setdefault(key, {})
        target[last] = value

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.clear(), "no actor, verb, object"),
        (lambda s: s.pop("verb"), "no verb"),
        (_set("id", "not-a-uuid"), "must be a UUID"),
        (_set("verb", "answered"), "verb.id must be an IRI"),
        (_set("verb.id", ""), "verb.id must be an IRI"),
        (_set("verb.id", ADL + "x" * 255), "verb.id is too long"),
        (_set("object", "activity"), "object.id must be the activity's IRI"),
        (_set("object.objectType", "Agent"), "must be an activity"),
        (_set("result", [1]), "result must be an object"),
        (_set("result.success", "yes"), "result.success must be true or false"),
        (_set("result.completion", 1), "result.completion must be true or false"),
        (_set("result.score", 0.5), "result.score must be an object"),
        (_set("result.score.raw", "9"), "result.score.raw must be a number"),
        (_set("result.score.max", True), "result.score.max must be a number"),
        (_set("result.score.min", math.inf), "result.score.min must be a number"),
        (_set("result.score.scaled", 1.5), "between -1 and 1"),
        (_set("result.score", {"raw": 1, "min": 4, "max": 4}), "greater than"),
        (_set("result.score", {"raw": -1, "min": 0, "max": 4}), "not be below"),
        (_set("result.score", {"raw": 5, "min": 0, "max": 4}), "not be above"),
    ],
)
def test_malformed_statements_are_refused_with_the_reason(learner, change, message):
    statement = body(learner)
    change(statement)
    with pytest.raises(ValidationError, match=message):
        statement_parse(statement=statement, user=learner)


@pytest.mark.parametrize("statement", [None, [], "statement", 1])
def test_a_statement_must_be_an_object(learner, statement):
    with pytest.raises(ValidationError, match="must be a JSON object"):
        statement_parse(statement=statement, user=learner)
