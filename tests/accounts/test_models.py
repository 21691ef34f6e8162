"""Profile: completeness, the clean() rules, and the same rules held by the database."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from imh_accounts.choices import ProfessionalRole, RegistrationBody
from imh_accounts.models import Profile
from tests.accounts.factories import EmptyProfileFactory, ProfileFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _build(**kwargs) -> Profile:
    """An unsaved profile for a saved user, so full_clean() checks only the profile."""
    return ProfileFactory.build(user=UserFactory(), **kwargs)


def test_a_profile_with_name_and_role_is_complete():
    assert ProfileFactory().is_complete


@pytest.mark.parametrize(
    "changes",
    [{"full_name": ""}, {"full_name": "   "}, {"professional_role": ""}],
)
def test_a_profile_without_name_or_role_is_incomplete(changes):
    profile = _build(**changes)
    assert not profile.is_complete


def test_empty_profile_is_incomplete_and_valid():
    profile = EmptyProfileFactory()
    profile.full_clean()
    assert not profile.is_complete


def test_clean_normalises_the_registration_number_and_name():
    profile = _build(registration_number=" 12a 3456e ", full_name="  Alex   Smith ")
    profile.full_clean()
    assert profile.registration_number == "12A3456E"
    assert profile.full_name == "Alex Smith"


def test_clean_rejects_a_malformed_nmc_pin_on_the_number_field():
    profile = _build(registration_number="12345")
    with pytest.raises(ValidationError) as excinfo:
        profile.full_clean()
    assert "NMC PIN" in excinfo.value.message_dict["registration_number"][0]


def test_clean_requires_the_nmc_for_a_health_visitor():
    profile = _build(
        professional_role=ProfessionalRole.HEALTH_VISITOR,
        registration_body=RegistrationBody.HCPC,
        registration_number="PYL12345",
    )
    with pytest.raises(ValidationError) as excinfo:
        profile.full_clean()
    assert list(excinfo.value.message_dict) == ["registration_body"]


def test_full_name_longer_than_150_characters_has_a_clear_message():
    profile = _build(full_name="A" * 151)
    with pytest.raises(ValidationError) as excinfo:
        profile.full_clean()
    assert excinfo.value.message_dict["full_name"] == ["Full name must be 150 characters or fewer"]


def test_one_profile_per_user():
    profile = ProfileFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.create(user=profile.user)


@pytest.mark.parametrize(
    "changes",
    [
        # A number without a body, and a body without a number.
        {"registration_body": ""},
        {"registration_number": ""},
        # Midwives must be registered with the NMC.
        {"registration_body": RegistrationBody.GMC, "registration_number": "1234567"},
        # Each body's format, checked by the database too.
        {"registration_number": "12345"},
        {"registration_number": "12a3456e"},
        {"registration_body": RegistrationBody.GMC, "professional_role": "other"},
        # Only the listed roles and bodies.
        {"professional_role": "surgeon"},
        {"registration_body": "xyz", "professional_role": "other"},
        # A deleted profile holds nothing personal.
        {"deleted_at": timezone.now()},
    ],
)
def test_the_database_refuses_what_clean_refuses(changes):
    """Updates bypass clean(); the check constraints still hold."""
    profile = ProfileFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.filter(pk=profile.pk).update(**changes)


def test_the_database_accepts_each_body_in_its_format():
    profile = ProfileFactory(professional_role=ProfessionalRole.OTHER)
    for body, number in [
        (RegistrationBody.NMC, "12A3456E"),
        (RegistrationBody.HCPC, "PYL123456"),
        (RegistrationBody.SOCIAL_WORK_ENGLAND, "SW1"),
        (RegistrationBody.GMC, "7654321"),
        (RegistrationBody.OTHER, "ABC/123-4"),
        ("", ""),
    ]:
        Profile.objects.filter(pk=profile.pk).update(
            registration_body=body, registration_number=number
        )


def test_full_clean_reports_a_constraint_the_clean_method_does_not_cover():
    profile = _build(professional_role="surgeon")
    with pytest.raises(ValidationError) as excinfo:
        profile.full_clean()
    assert "professional_role" in excinfo.value.message_dict


def test_str_is_the_full_name():
    assert str(_build(full_name="Alex Smith")) == "Alex Smith"
