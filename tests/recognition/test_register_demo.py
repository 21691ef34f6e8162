"""The register's demo loader: listed entries, one inside the renewal window, idempotent."""

from __future__ import annotations

import pytest

from cms.demo_register import demo_register_load
from imh_recognition import register, renewal
from imh_recognition.models import Recognition
from tests.competencies.factories import FrameworkFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_register_load_is_idempotent_and_listed():
    framework = FrameworkFactory()
    manager = UserFactory(first_name="Jo", last_name="Williams")
    nursery = UserFactory(first_name="Chris", last_name="Evans")
    assessor = UserFactory(first_name="Morgan", last_name="Hughes")
    first = demo_register_load(
        framework=framework, manager=manager, nursery=nursery, assessor=assessor
    )
    again = demo_register_load(
        framework=framework, manager=manager, nursery=nursery, assessor=assessor
    )
    assert [r.pk for r in first] == [r.pk for r in again]
    assert Recognition.objects.count() == 2
    assert sorted(r.display_name for r in register.register_search()) == [
        "Chris Evans",
        "Jo Williams",
    ]
    assert {r.application.decided_by for r in first} == {assessor}
    assert all(r.application.decided_at.date() == r.granted_on for r in first)
    assert renewal.recognition_can_renew(first[1])
    assert not renewal.recognition_can_renew(first[0])
