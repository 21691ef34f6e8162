"""Who may observe whom beyond educators: competencies asks two hooks."""

from __future__ import annotations

import pytest

from imh_competencies.policies import (
    trainees_observable_by,
    user_may_observe,
    user_may_record_observations,
)
from imh_core.hooks import IMH_OBSERVABLE_TRAINEES, IMH_OBSERVER_POLICIES
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_without_answers_only_educators_observe(only_hooks):
    only_hooks(IMH_OBSERVER_POLICIES)
    only_hooks(IMH_OBSERVABLE_TRAINEES)
    observer, trainee = UserFactory(), UserFactory()
    assert not user_may_observe(observer=observer, trainee=trainee)
    assert not user_may_record_observations(observer)


def test_any_answer_allows_an_observation(only_hooks):
    observer, supervisee, stranger = UserFactory(), UserFactory(), UserFactory()
    only_hooks(
        IMH_OBSERVER_POLICIES,
        lambda *, observer, trainee: False,
        lambda *, observer, trainee: trainee.pk == supervisee.pk,
    )
    assert user_may_observe(observer=observer, trainee=supervisee)
    assert not user_may_observe(observer=observer, trainee=stranger)


def test_observable_people_from_every_answer_are_listed_once_by_name(only_hooks):
    observer = UserFactory()
    zara = UserFactory(first_name="Zara", last_name="Ahmed")
    amir = UserFactory(first_name="Amir", last_name="Khan")
    only_hooks(
        IMH_OBSERVABLE_TRAINEES,
        lambda *, observer: [zara, observer],
        lambda *, observer: [amir, zara],
    )
    assert trainees_observable_by(observer=observer) == [amir, zara]
    assert user_may_record_observations(observer)
