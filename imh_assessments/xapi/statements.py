"""xAPI statements read from JSON into a ``ParsedStatement``, checked on the way in.

Nothing here touches the database: ``statement_parse`` decides whether a statement is well
formed, about the learner and about one of this site's H5P activities (by its IRI), and
puts it in the form it is stored in. Recording it is ``imh_assessments.services.xapi``.
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from imh_assessments.xapi.identifiers import activity_uuid_from_iri, actor_is_user, learner_agent
from imh_core.jsonsafe import JSONTooDeep, json_loads

XAPI_VERSION = "1.0.3"
MAX_STATEMENT_BYTES = 64 * 1024
MAX_STATE_BYTES = 64 * 1024
# Real statements and H5P state documents nest a few levels; extensions add a few more.
# Python's parser recurses once per level, so the thousands of brackets that fit in 64 KB
# would crash it: deeper documents are refused before parsing.
MAX_JSON_DEPTH = 64

ADL = "http://adlnet.gov/expapi/verbs/"
VERB_ANSWERED = ADL + "answered"
VERB_COMPLETED = ADL + "completed"
VERB_PASSED = ADL + "passed"
VERB_FAILED = ADL + "failed"
RESULT_VERBS = frozenset({VERB_ANSWERED, VERB_COMPLETED, VERB_PASSED, VERB_FAILED})


def xapi_document_parse(*, raw: bytes | str, name: str = "The request body") -> Any:
    """``raw`` read as JSON, or ``ValidationError`` naming ``name`` when it is not JSON or is
    nested more than ``MAX_JSON_DEPTH`` levels deep. Size is checked before this is called."""
    try:
        # The encodings (and byte order mark) json.loads itself accepts for bytes.
        text = raw.decode(json.detect_encoding(raw)) if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{name} is not valid JSON.") from exc
    try:
        return json_loads(text, max_depth=MAX_JSON_DEPTH)
    except JSONTooDeep as exc:
        raise ValidationError(f"{name} is nested more than {MAX_JSON_DEPTH} levels deep.") from exc
    except ValueError as exc:
        raise ValidationError(f"{name} is not valid JSON.") from exc


class ActivityNotFound(Exception):
    """``object.id`` names no H5P activity of this site (HTTP 404)."""


def _parent_iris(statement: dict) -> list[Any]:
    context = statement.get("context")
    if not isinstance(context, dict):
        return []
    activities = context.get("contextActivities")
    if not isinstance(activities, dict):
        return []
    parents = activities.get("parent") or []
    if isinstance(parents, dict):
        parents = [parents]
    if not isinstance(parents, list):
        return []
    return [parent.get("id") for parent in parents if isinstance(parent, dict)]


def _number(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError(f"result.score.{name} must be a number.")
    return float(value)


@dataclass
class ParsedStatement:
    """A checked statement: what recording it needs, and the body to store."""

    statement_id: uuid.UUID
    activity_uuid: str
    is_subcontent: bool
    verb: str
    object_iri: str
    score_scaled: float | None
    score_raw: float | None
    score_min: float | None
    score_max: float | None
    success: bool | None
    completion: bool | None
    raw: dict
    body_sha256: str

    @property
    def counts_for_result(self) -> bool:
        return not self.is_subcontent and self.verb in RESULT_VERBS


def statement_parse(*, statement: Any, user, statement_id: str | None = None) -> ParsedStatement:
    """Check one statement and put it in the form it is stored in.

    Raises ``ValidationError`` for a malformed statement or score, ``PermissionDenied`` for
    a statement about someone else, ``ActivityNotFound`` for an object that is not one of
    this site's H5P activities.
    """
    if not isinstance(statement, dict):
        raise ValidationError("Each statement must be a JSON object.")
    missing = [name for name in ("actor", "verb", "object") if name not in statement]
    if missing:
        raise ValidationError(f"The statement has no {', '.join(missing)}.")
    if not actor_is_user(statement["actor"], user):
        raise PermissionDenied("You can only record statements about yourself.")

    given_id = statement.get("id")
    if statement_id is not None and given_id is not None and str(given_id) != statement_id:
        raise ValidationError("The statement id does not match the statementId parameter.")
    raw_id = statement_id or given_id
    try:
        parsed_id = uuid.UUID(str(raw_id)) if raw_id is not None else uuid.uuid4()
    except ValueError as exc:
        raise ValidationError("The statement id must be a UUID.") from exc

    verb = statement["verb"]
    if not isinstance(verb, dict) or not isinstance(verb.get("id"), str) or not verb["id"]:
        raise ValidationError("verb.id must be an IRI.")
    if len(verb["id"]) > 255:
        raise ValidationError("verb.id is too long.")
    target = statement["object"]
    if not isinstance(target, dict) or not isinstance(target.get("id"), str):
        raise ValidationError("object.id must be the activity's IRI.")
    if target.get("objectType", "Activity") != "Activity":
        raise ValidationError("The object of the statement must be an activity.")
    found = activity_uuid_from_iri(target["id"])
    if found is None:
        # A statement about a part of an activity may name the activity only as its parent.
        for parent in _parent_iris(statement):
            parent_found = activity_uuid_from_iri(parent)
            if parent_found is not None:
                found = (parent_found[0], True)
                break
    if found is None:
        raise ActivityNotFound("The statement is not about an activity on this site.")
    activity_uuid, is_subcontent = found
    if not is_subcontent and any(
        (p := activity_uuid_from_iri(parent)) and p[0] == activity_uuid and target["id"] != parent
        for parent in _parent_iris(statement)
    ):
        is_subcontent = True

    scaled = raw_score = score_min = score_max = None
    success = completion = None
    result = statement.get("result")
    if result is not None:
        if not isinstance(result, dict):
            raise ValidationError("result must be an object.")
        for name in ("success", "completion"):
            if result.get(name) is not None and not isinstance(result[name], bool):
                raise ValidationError(f"result.{name} must be true or false.")
        success, completion = result.get("success"), result.get("completion")
        score = result.get("score")
        if score is not None:
            if not isinstance(score, dict):
                raise ValidationError("result.score must be an object.")
            scaled = _number(score.get("scaled"), "scaled")
            raw_score = _number(score.get("raw"), "raw")
            score_min = _number(score.get("min"), "min")
            score_max = _number(score.get("max"), "max")
            if scaled is not None and not -1 <= scaled <= 1:
                raise ValidationError("result.score.scaled must be between -1 and 1.")
            if score_min is not None and score_max is not None and score_max <= score_min:
                raise ValidationError("result.score.max must be greater than result.score.min.")
            if raw_score is not None:
                if score_min is not None and raw_score < score_min:
                    raise ValidationError("result.score.raw must not be below result.score.min.")
                if score_max is not None and raw_score > score_max:
                    raise ValidationError("result.score.raw must not be above result.score.max.")
            if scaled is None and raw_score is not None and score_max is not None:
                low = score_min if score_min is not None else 0.0
                if score_max > low and low <= raw_score:
                    scaled = (raw_score - low) / (score_max - low)
    if statement["verb"]["id"] == VERB_PASSED and success is None:
        success = True
    if statement["verb"]["id"] == VERB_FAILED and success is None:
        success = False

    stored = {**statement, "id": str(parsed_id), "actor": learner_agent(user=user)}
    for server_field in ("stored", "authority"):
        stored.pop(server_field, None)
    body = json.dumps(stored, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return ParsedStatement(
        statement_id=parsed_id,
        activity_uuid=activity_uuid,
        is_subcontent=is_subcontent,
        verb=statement["verb"]["id"],
        object_iri=target["id"],
        score_scaled=scaled,
        score_raw=raw_score,
        score_min=score_min,
        score_max=score_max,
        success=success,
        completion=completion,
        raw=stored,
        body_sha256=hashlib.sha256(body.encode()).hexdigest(),
    )
