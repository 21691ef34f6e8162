"""Rate limits on the apps' own forms and lookups, counted by allauth's rate limiter.

allauth already limits sign-in, sign-up and password resets; its limiter (a sliding window
per IP address, user or key, in Django's cache, behind the proxies allauth is told to trust
with ``ALLAUTH_TRUSTED_PROXY_COUNT`` or ``ALLAUTH_TRUSTED_CLIENT_IP_HEADER``) counts the
apps' limits too, so a site has one mechanism, one cache and one client address to reason
about. Rates are written as allauth writes them: ``"60/m/ip"``, ``"20/h/ip"``,
``"10/15m/user"``, several joined with commas.

allauth's public ``consume`` reads only its own account settings and lets GET requests
through, and a lookup page is a GET, so the apps call the limiter it is built on.
"""

from __future__ import annotations

import math
import time

from allauth.core.internal import ratelimit as allauth_ratelimit
from django.core.cache import cache
from django.http import HttpRequest

# Each of the apps' limits is an allauth "action" of this app, so its cache keys never
# meet allauth's own.
APP = "imh"


def rate_limit_consume(
    request: HttpRequest,
    *,
    action: str,
    rate: str | None,
    key: str | None = None,
    user: object = None,
) -> int | None:
    """Count one request towards ``rate``; the seconds to wait when it is over, else None.

    An empty ``rate`` is no limit. ``user`` and ``key`` are what a per-user or per-key rate
    counts (the request's user by default).
    """
    if not rate:
        return None
    config = {action: rate}
    usage = allauth_ratelimit.consume(
        request, app=APP, action=action, config=config, key=key, user=user, limit_get=True
    )
    if usage is not None:
        return None
    return _seconds_to_wait(request, action=action, config=config, key=key, user=user)


def _seconds_to_wait(
    request: HttpRequest, *, action: str, config: dict[str, str], key: str | None, user: object
) -> int:
    """How long until every rate has room again: the oldest hit that fills a rate expires."""
    now = time.time()
    wait = 1.0
    for rate in allauth_ratelimit.get_rates(app=APP, action=action, config=config):
        cache_key = allauth_ratelimit.get_cache_key(
            request, app=APP, action=action, rate=rate, key=key, user=user
        )
        history = cache.get(cache_key, [])  # newest first
        if len(history) >= rate.amount:
            wait = max(wait, history[rate.amount - 1] + rate.duration - now)
    return max(1, math.ceil(wait))
