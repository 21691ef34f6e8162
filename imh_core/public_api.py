"""The plumbing of the public, read-only lookup APIs (certificate and recognition codes).

Anyone may call them from any site: the data is public and no credentials are involved, so
CORS allows every origin. Answers are never cached or indexed, because a status can change
at any moment (a revocation). Only GET and HEAD read; OPTIONS answers a preflight; anything
else is a 405 in JSON. Each app supplies its own rate limit and lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse

ALLOWED = "GET, HEAD, OPTIONS"


def no_index(response: HttpResponse) -> HttpResponse:
    """Keep a public lookup's answer out of caches and search engines."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    return response


def json_response(payload: dict[str, Any], *, status: int = 200) -> JsonResponse:
    response = JsonResponse(
        payload,
        status=status,
        encoder=DjangoJSONEncoder,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = ALLOWED
    response["Access-Control-Max-Age"] = "86400"
    response["Access-Control-Expose-Headers"] = "Retry-After"
    return no_index(response)


def public_lookup(
    request: HttpRequest,
    *,
    noun: str,
    rate_limit_hit: Callable[[HttpRequest], int | None],
    lookup: Callable[[], dict[str, Any] | None],
    not_found_message: str,
) -> HttpResponse:
    """Answer one API request: ``lookup`` returns the public record, or None when the code
    is unknown; ``rate_limit_hit`` counts the request and returns seconds to wait, if any.
    ``noun`` names what the API reads, in the 405 message ("certificates")."""
    if request.method == "OPTIONS":
        response = json_response({}, status=204)
        response.content = b""
        response["Allow"] = ALLOWED
        return response
    if request.method not in ("GET", "HEAD"):
        response = json_response(
            {
                "error": "method_not_allowed",
                "message": f"Only GET is allowed: this API only reads {noun}.",
            },
            status=405,
        )
        response["Allow"] = ALLOWED
        return response
    retry_after = rate_limit_hit(request)
    if retry_after is not None:
        response = json_response(
            {
                "error": "rate_limited",
                "message": f"Too many requests. Try again in {retry_after} seconds.",
                "retry_after": retry_after,
            },
            status=429,
        )
        response["Retry-After"] = str(retry_after)
        return response
    payload = lookup()
    if payload is None:
        return json_response({"error": "not_found", "message": not_found_message}, status=404)
    return json_response(payload)
