"""The apps' rate limits, counted by allauth's limiter."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from imh_core.ratelimit import rate_limit_consume
from tests.factories import UserFactory

START = datetime.datetime(2027, 1, 1, 12, 0, 0, tzinfo=datetime.UTC)


def test_requests_over_the_rate_wait_until_the_oldest_one_expires(rf):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1")
    with time_machine.travel(START):
        assert rate_limit_consume(request, action="lookup", rate="2/m/ip") is None
    with time_machine.travel(START + datetime.timedelta(seconds=20)):
        assert rate_limit_consume(request, action="lookup", rate="2/m/ip") is None
        assert rate_limit_consume(request, action="lookup", rate="2/m/ip") == 40
    with time_machine.travel(START + datetime.timedelta(seconds=61)):
        assert rate_limit_consume(request, action="lookup", rate="2/m/ip") is None
        assert rate_limit_consume(request, action="lookup", rate="2/m/ip") == 19


def test_get_requests_are_counted_too_and_each_address_has_its_own_allowance(rf):
    first, second = rf.get("/", REMOTE_ADDR="10.0.0.1"), rf.get("/", REMOTE_ADDR="10.0.0.2")
    assert rate_limit_consume(first, action="lookup", rate="1/m/ip") is None
    assert rate_limit_consume(first, action="lookup", rate="1/m/ip") is not None
    assert rate_limit_consume(second, action="lookup", rate="1/m/ip") is None


def test_each_action_is_counted_apart(rf):
    request = rf.post("/", REMOTE_ADDR="10.0.0.1")
    assert rate_limit_consume(request, action="one", rate="1/m/ip") is None
    assert rate_limit_consume(request, action="two", rate="1/m/ip") is None
    assert rate_limit_consume(request, action="one", rate="1/m/ip") is not None


def test_no_rate_is_no_limit(rf):
    request = rf.post("/")
    for _ in range(5):
        assert rate_limit_consume(request, action="open", rate=None) is None
        assert rate_limit_consume(request, action="open", rate="") is None


@pytest.mark.django_db
def test_per_user_rates_follow_the_person_not_the_address(rf):
    ann, bob = UserFactory(), UserFactory()
    requests = []
    for user, address in ((ann, "10.0.0.1"), (ann, "10.0.0.2"), (bob, "10.0.0.1")):
        request = rf.post("/", REMOTE_ADDR=address)
        request.user = user
        requests.append(request)
    assert rate_limit_consume(requests[0], action="join", rate="1/15m/user") is None
    assert rate_limit_consume(requests[1], action="join", rate="1/15m/user") == 15 * 60
    assert rate_limit_consume(requests[2], action="join", rate="1/15m/user") is None


def test_the_apps_limits_never_share_counters_with_allauths(rf, settings):
    request = rf.post("/", REMOTE_ADDR="10.0.0.1")
    assert rate_limit_consume(request, action="login", rate="1/m/ip") is None
    from allauth.core import ratelimit

    settings.ACCOUNT_RATE_LIMITS = {"login": "1/m/ip"}
    assert ratelimit.consume(request, action="login")
