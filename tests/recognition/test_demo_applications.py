"""The demo's recognition applications: schemes per level and one application to review."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from imh_recognition.models import Application, Message, Scheme
from imh_recognition.roles import user_is_assessor

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        "schemes": Scheme.objects.count(),
        "applications": Application.objects.count(),
        "messages": Message.objects.count(),
    }


def test_demo_has_a_scheme_per_level_and_an_application_waiting():
    call_command("demo_load")
    first = _counts()
    call_command("demo_load")
    assert _counts() == first

    assert first["schemes"] == 3
    User = get_user_model()
    priya = User.objects.get(email="trainee@example.org")
    waiting = Application.objects.get(applicant=priya)
    assert waiting.status == Application.Status.SUBMITTED
    assert waiting.evidence_items.filter(included=True).count() >= 3
    assert user_is_assessor(User.objects.get(email="assessor@example.org"))
    assert not user_is_assessor(priya)
