"""An H5P activity's pass mark is a whole percentage, as a quiz's is: in the admin form, in
what trainees see, in the pass decision, and carried over from the old scaled thresholds."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from imh_assessments.models import ActivityResult, H5PActivity
from imh_assessments.services.h5p import h5p_activity_update
from imh_courses.services.learning import enrolment_create
from tests.assessments.xapi_helpers import attempt_policy, bare_activity, place, statement
from tests.courses.factories import create_course, lessons_of
from tests.factories import UserFactory

MESSAGE = "Enter the pass mark as a whole number from 0 to 100."
ADMIN = "wagtailsnippets_imh_assessments_h5pactivity"


def _form(activity: H5PActivity, pass_mark: str) -> dict[str, str]:
    return {
        "title": activity.title,
        "scoring_policy": activity.scoring_policy,
        "pass_mark": pass_mark,
        "competency_mappings-TOTAL_FORMS": "0",
        "competency_mappings-INITIAL_FORMS": "0",
        "competency_mappings-MIN_NUM_FORMS": "0",
        "competency_mappings-MAX_NUM_FORMS": "1000",
    }


@pytest.fixture
def educator(client):
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Educators"))
    client.force_login(user)
    return user


@pytest.mark.django_db
def test_the_admin_form_asks_for_a_percentage(client, educator):
    activity = bare_activity(pass_mark=100)
    url = reverse(f"{ADMIN}:edit", args=[activity.pk])
    html = client.get(url).content.decode()
    assert "The percentage of the activity&#x27;s score needed to pass, from 0 to 100." in html
    assert 'name="pass_mark" value="100"' in html

    response = client.post(url, _form(activity, "80"))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.pass_mark == 80


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["101", "-1", "0.8", "eighty", ""])
def test_anything_but_a_whole_percentage_is_refused_with_one_clear_message(client, educator, typed):
    activity = bare_activity(pass_mark=70)
    response = client.post(reverse(f"{ADMIN}:edit", args=[activity.pk]), _form(activity, typed))
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    activity.refresh_from_db()
    assert activity.pass_mark == 70


@pytest.mark.django_db
def test_the_service_refuses_a_mark_out_of_range():
    activity = bare_activity(pass_mark=70)
    with pytest.raises(ValidationError) as raised:
        h5p_activity_update(activity=activity, title="T", scoring_policy="best", pass_mark=180)
    assert raised.value.message_dict["pass_mark"] == [MESSAGE]
    assert H5PActivity.objects.get(pk=activity.pk).pass_mark == 70


@pytest.mark.django_db
def test_trainees_see_the_pass_mark_as_a_percentage(client):
    activity = bare_activity(pass_mark=75)
    course = create_course(modules=1, lessons_per_module=1)
    lesson = lessons_of(course)[0]
    lesson.body.append(("h5p", {"activity": activity, "required": True}))
    lesson.save_revision().publish()
    trainee = UserFactory()
    enrolment_create(user=trainee, course=course)
    client.force_login(trainee)
    html = client.get(lesson.url).content.decode()
    assert "You need 75% to pass." in html


@pytest.mark.django_db
@pytest.mark.parametrize(("raw", "passed"), [(3, True), (2, False)])
def test_the_pass_is_decided_against_the_percentage(raw, passed):
    activity = bare_activity(pass_mark=75)
    place(activity)
    trainee = UserFactory()
    client = Client()
    client.force_login(trainee)
    with attempt_policy(trainee):
        response = client.post(
            "/xapi/statements",
            json.dumps(statement(trainee, activity, score=(raw, 4))),
            content_type="application/json",
            HTTP_X_EXPERIENCE_API_VERSION="1.0.3",
        )
    assert response.status_code == 200
    assert ActivityResult.objects.get(user=trainee).passed is passed
