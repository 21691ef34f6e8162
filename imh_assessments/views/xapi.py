"""The xAPI statement resource at /xapi/statements and the state resource at
/xapi/activities/state, for the learner's own session.

Only the lesson page posts here (the H5P player frame is sandboxed and has no session); it
sends the learner's CSRF token in ``X-CSRFToken``. Errors are JSON ``{"error": "..."}``
with the status the xAPI specification gives: 400 malformed (or nested too deep), 401 not
logged in, 403 no CSRF token or not allowed, 404 unknown activity, 409 statement id reused
with another body, 413 too big.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from imh_assessments.services.xapi import (
    StatementConflict,
    activity_state_delete,
    activity_state_get,
    activity_state_save,
    xapi_statements_record,
)
from imh_assessments.xapi.identifiers import learner_agent
from imh_assessments.xapi.statements import (
    MAX_STATE_BYTES,
    MAX_STATEMENT_BYTES,
    XAPI_VERSION,
    ActivityNotFound,
    xapi_document_parse,
)

app_name = "xapi"

_VERSION = re.compile(r"^1\.0(\.\d+)?$")
_csrf = CsrfViewMiddleware(lambda request: HttpResponse())


def _error(status: int, message: str) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    response["X-Experience-API-Version"] = XAPI_VERSION
    return response


def _guard(request: HttpRequest, *, max_bytes: int) -> JsonResponse | None:
    """The error response for a request that cannot go further, or None."""
    if not request.user.is_authenticated:
        return _error(401, "Log in to record your activity.")
    version = request.headers.get("X-Experience-API-Version")
    if version is not None and not _VERSION.match(version):
        return _error(400, "This server speaks xAPI version 1.0.x.")
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        if _csrf.process_view(request, None, (), {}) is not None:
            return _error(403, "The request has no valid CSRF token. Reload the page.")
        length = request.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            return _error(413, f"The request is larger than {max_bytes // 1024} KB.")
        if len(request.body) > max_bytes:
            return _error(413, f"The request is larger than {max_bytes // 1024} KB.")
    return None


def _json_body(request: HttpRequest) -> Any:
    return xapi_document_parse(raw=request.body)


def _refusal(exc: Exception) -> JsonResponse:
    if isinstance(exc, ValidationError):
        return _error(400, " ".join(exc.messages))
    if isinstance(exc, PermissionDenied):
        return _error(403, str(exc) or "You may not do this.")
    if isinstance(exc, ActivityNotFound):
        return _error(404, str(exc))
    if isinstance(exc, StatementConflict):
        return _error(409, str(exc))
    raise exc


@csrf_exempt  # checked in _guard, to answer with JSON rather than the site's error page
@never_cache
def statements(request: HttpRequest) -> HttpResponse:
    refused = _guard(request, max_bytes=MAX_STATEMENT_BYTES)
    if refused:
        return refused
    try:
        if request.method == "POST":
            body = _json_body(request)
            batch = body if isinstance(body, list) else [body]
            ids = xapi_statements_record(user=request.user, statements=batch)
            response: HttpResponse = JsonResponse(ids, safe=False)
        elif request.method == "PUT":
            statement_id = request.GET.get("statementId")
            if not statement_id:
                raise ValidationError("Give the statement id as the statementId parameter.")
            body = _json_body(request)
            xapi_statements_record(user=request.user, statements=[body], statement_id=statement_id)
            response = HttpResponse(status=204)
        else:
            return _error(405, "Use POST or PUT to send statements.")
    except (ValidationError, PermissionDenied, ActivityNotFound, StatementConflict) as exc:
        return _refusal(exc)
    response["X-Experience-API-Version"] = XAPI_VERSION
    return response


@csrf_exempt  # checked in _guard
@never_cache
def activity_state(request: HttpRequest) -> HttpResponse:
    """The xAPI State resource for the learner's own agent (``agent`` may be left out)."""
    refused = _guard(request, max_bytes=MAX_STATE_BYTES)
    if refused:
        return refused
    params = request.GET
    try:
        agent = params.get("agent")
        if agent is not None:
            given = xapi_document_parse(raw=agent, name="agent")
            if given != learner_agent(user=request.user) and (
                not isinstance(given, dict)
                or given.get("mbox", "").lower() != f"mailto:{request.user.email}".lower()
            ):
                raise PermissionDenied("You can only read and save your own state.")
        common = {
            "user": request.user,
            "activity_iri_value": params.get("activityId"),
            "state_id": params.get("stateId"),
        }
        if request.method in ("GET", "HEAD"):
            document = activity_state_get(**common)
            if document is None:
                return _error(404, "No state is saved.")
            response: HttpResponse = JsonResponse(document, safe=False)
        elif request.method in ("PUT", "POST"):
            activity_state_save(**common, document=_json_body(request))
            response = HttpResponse(status=204)
        elif request.method == "DELETE":
            activity_state_delete(**common)
            response = HttpResponse(status=204)
        else:
            return _error(405, "Use GET, PUT, POST or DELETE.")
    except (ValidationError, PermissionDenied, ActivityNotFound) as exc:
        return _refusal(exc)
    response["X-Experience-API-Version"] = XAPI_VERSION
    return response


urlpatterns = [
    path("statements", statements, name="statements"),
    path("activities/state", activity_state, name="activity_state"),
]
