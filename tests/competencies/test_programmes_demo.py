"""The demo programme directory loads against the sample framework, once."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from cms.demo_programmes import CLAIMED_TITLE, demo_programmes_load
from imh_competencies.frameworks_io import framework_import_sample
from imh_competencies.models import ExternalLearning, ExternalProgramme
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_programmes_load_once():
    framework = framework_import_sample()
    educator = UserFactory()
    educator.groups.add(Group.objects.get(name="Educators"))
    trainee = UserFactory()
    for _ in range(2):
        demo_programmes_load(framework=framework, educator=educator, trainee=trainee)
    statuses = sorted(ExternalProgramme.objects.values_list("review_status", flat=True))
    assert statuses == ["approved", "approved", "approved", "under_review"]
    claim = ExternalLearning.objects.get(user=trainee)
    assert claim.programme.title == CLAIMED_TITLE
    assert claim.claims.count() == 3
