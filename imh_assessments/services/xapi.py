"""Record xAPI statements from the H5P player, keep each learner's result, save resume state.

Statements come from the lesson page (never from the sandboxed player frame directly, see
``imh_assessments.views.h5p``), with the learner's session. Each statement is read and
checked by ``imh_assessments.xapi.statements`` (its actor must be the learner, its object one
of this site's activities), and the learner's right to attempt the activity is asked of the
host app (``imh_assessments.access``). Then, in one transaction:

* the raw statement is inserted once per statement id (``INSERT ... ON CONFLICT DO
  NOTHING``): a replay with the same body changes nothing, a different body under the same
  id is a conflict;
* a top-level ``answered``, ``completed``, ``passed`` or ``failed`` statement updates the
  learner's ``ActivityResult`` with one atomic upsert that counts the attempt, keeps the
  first, last and best scaled scores, and the score that counts under the activity's
  scoring policy. Statements about sub-content (``?subContentId=`` in ``object.id``) and
  other verbs are stored but do not change the result.

A pass is kept once earned: a later lower attempt changes the score shown, not the pass.
When a score is present it decides the pass against the activity's pass mark, a percentage
(the package's own pass mark is ignored); without a score, ``result.success`` or the
``passed`` verb does.
The first pass records competency evidence and sends ``activity_passed`` on commit.

Both writes are single SQL statements because this is the busiest write path of the site
(every answer in every activity): the hot path is the session, the user, the permission
check and these two statements, with the activity looked up from a short-lived cache.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from imh_assessments.access import pages_user_may_attempt
from imh_assessments.models import (
    ActivityPlacement,
    ActivityResult,
    ActivityState,
    H5PActivity,
    XAPIStatement,
)
from imh_assessments.signals import activity_passed
from imh_assessments.xapi.identifiers import activity_uuid_from_iri
from imh_assessments.xapi.statements import (
    VERB_COMPLETED,
    VERB_FAILED,
    VERB_PASSED,
    ActivityNotFound,
    ParsedStatement,
    statement_parse,
)

ACTIVITY_CACHE_SECONDS = 60


class StatementConflict(Exception):
    """A statement id already stored with a different body (HTTP 409)."""


@dataclass(frozen=True)
class ActivityRef:
    """What recording a statement needs to know about an activity (cached)."""

    id: int
    uuid: str
    title: str
    scoring_policy: str
    pass_threshold: float  # the pass mark as a scaled score, like xAPI's: 80% is 0.8
    page_ids: tuple[int, ...]


def activity_ref(*, activity_uuid: str) -> ActivityRef | None:
    """The activity with ``activity_uuid`` and the pages it is placed on, cached briefly so
    that a run of answers does not look them up each time. Changes to an activity's pass
    mark or placements apply within ``ACTIVITY_CACHE_SECONDS``."""
    key = f"imh_assessments:h5p-activity:{activity_uuid}"
    ref = cache.get(key)
    if ref is not None:
        return ref
    activity = (
        H5PActivity.objects.filter(uuid=activity_uuid)
        .values("id", "title", "scoring_policy", "pass_mark")
        .first()
    )
    if activity is None:
        return None
    page_ids = ActivityPlacement.objects.filter(
        activity_type=ActivityPlacement.Type.H5P, activity_id=activity["id"]
    ).values_list("page_id", flat=True)
    ref = ActivityRef(
        id=activity["id"],
        uuid=str(activity_uuid),
        title=activity["title"],
        scoring_policy=activity["scoring_policy"],
        pass_threshold=activity["pass_mark"] / 100,
        page_ids=tuple(sorted(page_ids)),
    )
    cache.set(key, ref, ACTIVITY_CACHE_SECONDS)
    return ref


def _statement_insert(connection, parsed: ParsedStatement, *, user, activity_id: int, now):
    """SQL and parameters inserting the statement unless its id is stored already."""
    meta = XAPIStatement._meta
    values = {
        "statement_id": parsed.statement_id,
        "user": user.pk,
        "activity": activity_id,
        "verb": parsed.verb,
        "object_iri": parsed.object_iri,
        "is_subcontent": parsed.is_subcontent,
        "score_scaled": parsed.score_scaled,
        "score_raw": parsed.score_raw,
        "score_min": parsed.score_min,
        "score_max": parsed.score_max,
        "success": parsed.success,
        "completion": parsed.completion,
        "raw": parsed.raw,
        "body_sha256": parsed.body_sha256,
        "stored_at": now,
    }
    fields = [meta.get_field(name) for name in values]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(f"%(st_{field.name})s" for field in fields)
    params = {
        f"st_{field.name}": field.get_db_prep_save(values[field.name], connection)
        for field in fields
    }
    # Only quoted identifiers from the model are formatted in; values go as parameters.
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "  # noqa: S608
    sql += f"ON CONFLICT ({quote('statement_id')}) DO NOTHING RETURNING {pk}"
    return sql, params


_POLICY_SCORE = {"best": "new_best", "last": "new_last", "first": "new_first"}


def _result_upsert(
    connection, parsed: ParsedStatement, *, user, activity: ActivityRef, now, source: str = ""
):
    """SQL and parameters counting one attempt in the learner's result, in one atomic
    statement. ``source`` names a table expression the row is selected from (the statement
    just inserted), so that nothing is counted when the statement was a replay."""
    quote = connection.ops.quote_name
    table = quote(ActivityResult._meta.db_table)
    s = "CAST(%(scaled)s AS double precision)"
    old = {name: f"{table}.{quote(name)}" for name in ("first_score", "last_score", "best_score")}
    new = {
        "new_first": f"COALESCE({old['first_score']}, {s})",
        "new_last": f"COALESCE({s}, {old['last_score']})",
        "new_best": (
            f"CASE WHEN {s} IS NULL THEN {old['best_score']} "
            f"WHEN {old['best_score']} IS NULL OR {s} > {old['best_score']} THEN {s} "
            f"ELSE {old['best_score']} END"
        ),
    }
    effective = new[_POLICY_SCORE.get(activity.scoring_policy, "new_best")]
    success = "CAST(%(success)s AS boolean)"
    threshold = "CAST(%(threshold)s AS double precision)"
    passes = (
        f"(CASE WHEN ({effective}) IS NOT NULL THEN ({effective}) >= {threshold} "
        f"ELSE COALESCE({success}, FALSE) END)"
    )
    passes_first = (
        f"(CASE WHEN {s} IS NOT NULL THEN {s} >= {threshold} ELSE COALESCE({success}, FALSE) END)"
    )
    passed_at = quote("passed_at")
    # Only quoted identifiers and fixed expressions are formatted in; values are parameters.
    sql = f"""
        INSERT INTO {table} (
            {quote("user_id")}, {quote("activity_id")}, {quote("attempts")},
            {quote("first_score")}, {quote("last_score")}, {quote("best_score")},
            {quote("score")}, {quote("completed")}, {quote("passed")}, {passed_at},
            {quote("first_attempt_at")}, {quote("last_attempt_at")}, {quote("updated_at")}
        ) SELECT
            %(user)s, %(activity)s, 1, {s}, {s}, {s}, {s}, CAST(%(completed)s AS boolean),
            {passes_first}, CASE WHEN {passes_first} THEN %(now)s END,
            %(now)s, %(now)s, %(now)s
        {f"FROM {source}" if source else ""} WHERE TRUE
        ON CONFLICT ({quote("user_id")}, {quote("activity_id")}) DO UPDATE SET
            {quote("attempts")} = {table}.{quote("attempts")} + 1,
            {quote("first_score")} = {new["new_first"]},
            {quote("last_score")} = {new["new_last"]},
            {quote("best_score")} = {new["new_best"]},
            {quote("score")} = {effective},
            {quote("completed")} = {table}.{quote("completed")}
                OR CAST(%(completed)s AS boolean),
            {quote("passed")} = {table}.{quote("passed")} OR {passes},
            {passed_at} = CASE WHEN {table}.{passed_at} IS NOT NULL THEN {table}.{passed_at}
                WHEN {passes} THEN %(now)s END,
            {quote("last_attempt_at")} = %(now)s,
            {quote("updated_at")} = %(now)s
        RETURNING {quote("id")}, {passed_at}
    """
    completed = bool(parsed.completion) or parsed.verb in {
        VERB_COMPLETED,
        VERB_PASSED,
        VERB_FAILED,
    }
    adapted_now = connection.ops.adapt_datetimefield_value(now)
    params = {
        "user": user.pk,
        "activity": activity.id,
        "scaled": parsed.score_scaled,
        "success": parsed.success,
        "completed": completed,
        "threshold": activity.pass_threshold,
        "now": adapted_now,
    }
    return sql, params


def _write(connection, parsed: ParsedStatement, *, user, activity: ActivityRef, now):
    """Store the statement and count it in the result: (stored now?, result id, first pass?).

    On PostgreSQL both writes are one statement (data-modifying CTE), atomic without a
    transaction block; elsewhere they are two, inside the caller's transaction.
    """
    insert_sql, params = _statement_insert(
        connection, parsed, user=user, activity_id=activity.id, now=now
    )
    with connection.cursor() as cursor:
        if not parsed.counts_for_result:
            cursor.execute(insert_sql, params)
            return cursor.fetchone() is not None, None, False
        if connection.vendor == "postgresql":
            upsert_sql, upsert_params = _result_upsert(
                connection, parsed, user=user, activity=activity, now=now, source="stored"
            )
            cursor.execute(
                f"WITH stored AS ({insert_sql}), counted AS ({upsert_sql}) "  # noqa: S608
                "SELECT (SELECT COUNT(*) FROM stored), counted.* "
                "FROM (SELECT 1) AS one LEFT JOIN counted ON TRUE",
                {**params, **upsert_params},
            )
            stored, result_id, passed_at = cursor.fetchone()
            return bool(stored), result_id, _same_instant(connection, passed_at, now)
        cursor.execute(insert_sql, params)
        if cursor.fetchone() is None:
            return False, None, False
        upsert_sql, upsert_params = _result_upsert(
            connection, parsed, user=user, activity=activity, now=now
        )
        cursor.execute(upsert_sql, upsert_params)
        result_id, passed_at = cursor.fetchone()
        return True, result_id, _same_instant(connection, passed_at, now)


def _same_instant(connection, value: Any, now) -> bool:
    """Whether a datetime read back in raw SQL (naive or text on SQLite) is ``now``."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is None:
        return False
    if timezone.is_naive(value):
        value = timezone.make_aware(value, connection.timezone)
    return value == now


def _first_pass(*, user, result_id: int, activity: ActivityRef, page_ids: set[int], now) -> None:
    from imh_competencies.models import Evidence
    from imh_competencies.services import evidence_record

    result = ActivityResult.objects.select_related("activity").get(pk=result_id)
    evidence_record(
        user=user,
        source=result,
        kind=Evidence.Kind.H5P,
        competencies=[
            (mapping.competency, mapping.level)
            for mapping in result.activity.competency_mappings.select_related("competency")
        ],
        occurred_on=timezone.localdate(now),
        title=activity.title,
    )
    transaction.on_commit(
        lambda: activity_passed.send(
            sender=ActivityResult,
            user=user,
            activity_type=ActivityPlacement.Type.H5P,
            activity_id=activity.id,
            page_ids=sorted(page_ids),
        )
    )


def xapi_statements_record(
    *, user, statements: Iterable[Any], statement_id: str | None = None
) -> list[str]:
    """Validate and store ``statements`` for ``user``, all or none; the stored ids in order.

    ``statement_id`` is the ``statementId`` of a PUT (one statement). Raises
    ``ValidationError``, ``PermissionDenied``, ``ActivityNotFound`` or ``StatementConflict``;
    nothing is stored when any statement is refused.
    """
    statements = list(statements)
    if not statements:
        raise ValidationError("Send at least one statement.")
    parsed = [
        statement_parse(statement=statement, user=user, statement_id=statement_id)
        for statement in statements
    ]
    if len({p.statement_id for p in parsed}) != len(parsed):
        raise ValidationError("Each statement in a batch needs its own id.")
    refs: dict[str, ActivityRef] = {}
    for p in parsed:
        if p.activity_uuid in refs:
            continue
        ref = activity_ref(activity_uuid=p.activity_uuid)
        if ref is None:
            raise ActivityNotFound("The statement is not about an activity on this site.")
        if not pages_user_may_attempt(user=user, page_ids=ref.page_ids):
            raise PermissionDenied("You are not enrolled on a course that includes this activity.")
        refs[p.activity_uuid] = ref

    connection = connections[router.db_for_write(XAPIStatement)]
    if len(parsed) > 1:
        # Refuse a batch that replays an id with another body before writing any of it.
        _check_replays(parsed, only_conflicts=True)
    now = timezone.now()
    conflict = False
    first_passes = []
    # Without a savepoint: a savepoint costs two more round trips on the busiest path. A
    # single statement on PostgreSQL needs no transaction block at all (see ``_write``).
    # Expected refusals are decided before the block or raised after it.
    single = len(parsed) == 1 and connection.vendor == "postgresql"
    block = nullcontext() if single else transaction.atomic(using=connection.alias, savepoint=False)
    with block:
        stored_here = 0
        for p in parsed:
            ref = refs[p.activity_uuid]
            stored, result_id, first_pass = _write(connection, p, user=user, activity=ref, now=now)
            if not stored:
                if _check_replays([p], only_conflicts=False):
                    conflict = True
                    break
                continue
            stored_here += 1
            if first_pass and result_id not in {done[0] for done in first_passes}:
                # ``activity_passed`` names every page the activity is placed on.
                first_passes.append((result_id, ref, set(ref.page_ids)))
        if conflict and stored_here:
            # Only reachable when another request stored the same id in between.
            raise StatementConflict("A statement with this id was stored with another body.")
        if not single:
            for result_id, ref, pages in first_passes:
                _first_pass(user=user, result_id=result_id, activity=ref, page_ids=pages, now=now)
    if single and first_passes:
        # The pass is stored; its evidence is recorded straight after (idempotent).
        with transaction.atomic(using=connection.alias):
            for result_id, ref, pages in first_passes:
                _first_pass(user=user, result_id=result_id, activity=ref, page_ids=pages, now=now)
    if conflict:
        raise StatementConflict("A statement with this id was stored with another body.")
    return [str(p.statement_id) for p in parsed]


def _check_replays(parsed: list[ParsedStatement], *, only_conflicts: bool) -> bool:
    """Raise (batch) or return True (single) when a stored id has another body."""
    stored = dict(
        XAPIStatement.objects.filter(statement_id__in=[p.statement_id for p in parsed]).values_list(
            "statement_id", "body_sha256"
        )
    )
    for p in parsed:
        if p.statement_id in stored and stored[p.statement_id] != p.body_sha256:
            if only_conflicts:
                raise StatementConflict(
                    f"A statement with id {p.statement_id} was stored with another body."
                )
            return True
    return False


# Resume state (the xAPI State resource).


def _state_activity(*, user, activity_iri_value: Any) -> ActivityRef:
    found = activity_uuid_from_iri(activity_iri_value)
    if found is None or found[1]:
        raise ActivityNotFound("activityId is not an activity on this site.")
    ref = activity_ref(activity_uuid=found[0])
    if ref is None:
        raise ActivityNotFound("activityId is not an activity on this site.")
    if not pages_user_may_attempt(user=user, page_ids=ref.page_ids):
        raise PermissionDenied("You are not enrolled on a course that includes this activity.")
    return ref


def _check_state_id(state_id: Any) -> str:
    if not isinstance(state_id, str) or not state_id or len(state_id) > 255:
        raise ValidationError("stateId must be given, at most 255 characters.")
    return state_id


def activity_state_get(*, user, activity_iri_value: Any, state_id: Any) -> Any:
    """The saved state document, or None when there is none."""
    ref = _state_activity(user=user, activity_iri_value=activity_iri_value)
    return (
        ActivityState.objects.filter(
            user=user, activity_id=ref.id, state_id=_check_state_id(state_id)
        )
        .values_list("document", flat=True)
        .first()
    )


@transaction.atomic
def activity_state_save(*, user, activity_iri_value: Any, state_id: Any, document: Any) -> None:
    """Save (replace) a state document for ``user`` on the activity."""
    ref = _state_activity(user=user, activity_iri_value=activity_iri_value)
    state_id = _check_state_id(state_id)
    ActivityState.objects.update_or_create(
        user=user, activity_id=ref.id, state_id=state_id, defaults={"document": document}
    )


@transaction.atomic
def activity_state_delete(*, user, activity_iri_value: Any, state_id: Any) -> None:
    ref = _state_activity(user=user, activity_iri_value=activity_iri_value)
    ActivityState.objects.filter(
        user=user, activity_id=ref.id, state_id=_check_state_id(state_id)
    ).delete()
