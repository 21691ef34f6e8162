"""Selectors: the personal data export."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from django.core.serializers.json import DjangoJSONEncoder

from imh_accounts import selectors

pytestmark = pytest.mark.django_db


def test_personal_data_holds_account_emails_profile_and_registered_sections(
    profile, register_exporter
):
    user = profile.user
    EmailAddress.objects.create(user=user, email="alex@work.example", verified=False)
    register_exporter(
        "courses", lambda u: {"enrolments": [{"course": "Infant sleep", "user": u.pk}]}
    )

    data = selectors.user_personal_data(user=user)

    assert data["account"]["email"] == "alex@example.org"
    assert data["email_addresses"] == [
        {"email": "alex@example.org", "verified": True, "primary": True},
        {"email": "alex@work.example", "verified": False, "primary": False},
    ]
    assert data["profile"]["full_name"] == "Alex Smith"
    assert data["profile"]["registration_number"] == "12A3456E"
    assert data["profile"]["professional_role_label"] == "Midwife"
    assert data["sections"]["courses"] == {
        "enrolments": [{"course": "Infant sleep", "user": user.pk}]
    }
    json.dumps(data, cls=DjangoJSONEncoder)


def test_personal_data_without_a_profile(user):
    assert selectors.user_personal_data(user=user)["profile"] is None


def test_profile_get(user, profile):
    assert selectors.profile_get(user=user) == profile
