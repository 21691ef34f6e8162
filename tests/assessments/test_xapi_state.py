"""The xAPI State resource: a learner's resume state, saved and read back."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from imh_assessments.models import ActivityState
from tests.assessments.xapi_helpers import agent, attempt_policy, bare_activity, iri, place
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainee():
    return UserFactory(username="trainee")


@pytest.fixture
def activity():
    activity = bare_activity()
    place(activity)
    return activity


def url(activity, **extra) -> str:
    return "/xapi/activities/state?" + urlencode(
        {"activityId": iri(activity), "stateId": "h5p-state", **extra}
    )


def test_state_is_saved_and_restored(trainee, activity):
    client = Client()
    client.force_login(trainee)
    state = json.dumps({"answers": [1, 0]})
    with attempt_policy(trainee):
        assert client.get(url(activity)).status_code == 404
        saved = client.put(url(activity), json.dumps(state), content_type="application/json")
        assert saved.status_code == 204
        assert client.get(url(activity)).json() == state
        newer = json.dumps({"answers": [1, 1]})
        client.put(url(activity), json.dumps(newer), content_type="application/json")
        assert client.get(url(activity, agent=json.dumps(agent(trainee)))).json() == newer
        assert ActivityState.objects.get().document == newer
        assert client.delete(url(activity)).status_code == 204
    assert not ActivityState.objects.exists()


def test_state_is_private_to_its_learner(trainee, activity):
    other = UserFactory(username="other")
    client = Client()
    client.force_login(trainee)
    with attempt_policy(trainee, other):
        response = client.get(url(activity, agent=json.dumps(agent(other))))
        assert response.status_code == 403
        response = client.put(
            url(activity, agent=json.dumps(agent(other))), "{}", content_type="application/json"
        )
        assert response.status_code == 403
    assert not ActivityState.objects.exists()


def test_state_needs_login_permission_and_valid_input(trainee, activity):
    assert Client().get(url(activity)).status_code == 401
    client = Client()
    client.force_login(trainee)
    with attempt_policy(UserFactory(username="enrolled")):
        assert client.put(url(activity), "{}", content_type="application/json").status_code == 403
    with attempt_policy(trainee):
        assert (
            client.put(url(activity), "{nope", content_type="application/json").status_code == 400
        )
        assert client.get(url(activity, stateId="")).status_code == 400
        missing = "/xapi/activities/state?activityId=http://example.org/x&stateId=s"
        assert client.get(missing).status_code == 404
    assert not ActivityState.objects.exists()
