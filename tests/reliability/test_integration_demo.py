"""The demo's observation reliability training: scale, synthetic clips, test, placement, pass."""

from __future__ import annotations

import datetime
import io
import sys

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cms import demo_reliability
from imh_assessments.models import ActivityPlacement
from imh_competencies.models import Evidence
from imh_courses.models import LessonPage
from imh_reliability.models import Attempt, Clip, ClipReference, ReliabilityTest, Scale
from imh_reliability.standing import Status, standing_for
from imh_reliability.synthetic import SyntheticClipUnavailable

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        "scales": Scale.objects.count(),
        "clips": Clip.objects.count(),
        "references": ClipReference.objects.count(),
        "tests": ReliabilityTest.objects.count(),
        "attempts": Attempt.objects.count(),
        "placements": ActivityPlacement.objects.filter(activity_type="reliability").count(),
        "evidence": Evidence.objects.filter(kind=Evidence.Kind.RELIABILITY).count(),
    }


def test_the_demo_loads_the_reliability_training_once(client):
    call_command("demo_load", stdout=io.StringIO())
    first = _counts()
    call_command("demo_load", stdout=io.StringIO())
    assert _counts() == first
    assert first == {
        "scales": 1,
        "clips": 3,
        "references": 12,
        "tests": 1,
        "attempts": 1,
        "placements": 1,
        "evidence": 2,  # one per competency the test maps to
    }

    scale = Scale.objects.get()
    assert "(synthetic)" in scale.name
    assert "not PIIOS" in scale.licence_note
    assert scale.items.count() == 4
    assert all(item.points.count() == 5 for item in scale.items.all())

    for clip in Clip.objects.all():
        assert clip.is_synthetic
        assert clip.consent_record == demo_reliability.CONSENT_RECORD
        assert clip.retain_until >= timezone.localdate() + datetime.timedelta(days=360)
        assert clip.file.read(4) == b"\x1a\x45\xdf\xa3"
        clip.file.close()
        assert clip.file.name.startswith("private/reliability/clips/")

    test = ReliabilityTest.objects.get()
    assert test.live
    assert test.metric == "exact"
    assert test.pass_mark == 80
    assert test.validity_months == 24
    assert test.competencies.count() == 2

    lesson = LessonPage.objects.get(slug=demo_reliability.LESSON_SLUG)
    assert ActivityPlacement.objects.filter(
        page=lesson, activity_type="reliability", activity_id=test.pk, required=True
    ).exists()

    trainee = Attempt.objects.get().user
    assert trainee.email == "trainee@example.org"
    assert standing_for(user=trainee, test=test).status == Status.EXPIRING

    # The manager's dashboard shows her result as expiring.
    from imh_organisations.models import Organisation

    trust = Organisation.objects.get(name="Northshire Community Health NHS Trust")
    client.force_login(type(trainee).objects.get(email="manager@example.org"))
    page = client.get(reverse("imh_compliance:dashboard", args=[trust.pk])).content.decode()
    assert 'data-reliability-status="expiring"' in page


def test_without_pyav_the_loader_writes_nothing_and_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "av", None)
    with pytest.raises(SyntheticClipUnavailable, match="pip install"):
        demo_reliability.demo_reliability_load()
    assert Scale.objects.count() == 0


def test_demo_load_carries_on_without_pyav(monkeypatch):
    monkeypatch.setitem(sys.modules, "av", None)
    err = io.StringIO()
    call_command("demo_load", stdout=io.StringIO(), stderr=err)
    assert "The observation reliability demo was not loaded" in err.getvalue()
    assert "pip install" in err.getvalue()
    assert not ReliabilityTest.objects.exists()
    assert LessonPage.objects.filter(slug=demo_reliability.LESSON_SLUG).exists()
