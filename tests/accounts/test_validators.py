"""Registration numbers: normalising and the format rule for each registration body."""

from __future__ import annotations

import pytest

from imh_accounts.choices import ProfessionalRole, RegistrationBody
from imh_accounts.validators import normalise_registration_number, registration_errors


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" 12a 3456e ", "12A3456E"),
        ("pyl\t12345", "PYL12345"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalise_registration_number(raw, expected):
    assert normalise_registration_number(raw) == expected


@pytest.mark.parametrize(
    ("body", "number"),
    [
        (RegistrationBody.NMC, "12A3456E"),
        (RegistrationBody.HCPC, "PYL12345"),
        (RegistrationBody.HCPC, "SW123456"),
        (RegistrationBody.HCPC, "AB12345"),
        (RegistrationBody.SOCIAL_WORK_ENGLAND, "SW12345"),
        (RegistrationBody.GMC, "1234567"),
        (RegistrationBody.OTHER, "GPHC-2012/345"),
    ],
)
def test_valid_numbers_pass(body, number):
    assert registration_errors(role=ProfessionalRole.OTHER, body=body, number=number) == {}


@pytest.mark.parametrize(
    ("body", "number", "message_part"),
    [
        (RegistrationBody.NMC, "1A23456E", "NMC PIN"),
        (RegistrationBody.NMC, "12A3456", "NMC PIN"),
        (RegistrationBody.NMC, "12A34567E", "NMC PIN"),
        (RegistrationBody.HCPC, "P12345", "HCPC"),
        (RegistrationBody.HCPC, "PYLX12345", "HCPC"),
        (RegistrationBody.HCPC, "PYL1234", "HCPC"),
        (RegistrationBody.SOCIAL_WORK_ENGLAND, "12345", "Social Work England"),
        (RegistrationBody.SOCIAL_WORK_ENGLAND, "SW", "Social Work England"),
        (RegistrationBody.GMC, "123456", "GMC"),
        (RegistrationBody.GMC, "A234567", "GMC"),
        (RegistrationBody.OTHER, "AB CD", "letters, numbers"),
    ],
)
def test_malformed_numbers_are_rejected_with_the_format_for_that_body(body, number, message_part):
    errors = registration_errors(role=ProfessionalRole.OTHER, body=body, number=number)
    assert list(errors) == ["registration_number"]
    assert message_part in errors["registration_number"]


def test_number_needs_a_body():
    errors = registration_errors(role=ProfessionalRole.OTHER, body="", number="12A3456E")
    assert list(errors) == ["registration_body"]


def test_body_needs_a_number():
    errors = registration_errors(role=ProfessionalRole.OTHER, body=RegistrationBody.NMC, number="")
    assert list(errors) == ["registration_number"]


@pytest.mark.parametrize(
    "role",
    [
        ProfessionalRole.MIDWIFE,
        ProfessionalRole.STUDENT_MIDWIFE,
        ProfessionalRole.HEALTH_VISITOR,
    ],
)
def test_nmc_roles_must_use_the_nmc(role):
    errors = registration_errors(role=role, body=RegistrationBody.HCPC, number="PYL12345")
    assert list(errors) == ["registration_body"]
    assert "NMC" in errors["registration_body"]
    assert registration_errors(role=role, body=RegistrationBody.NMC, number="12A3456E") == {}


def test_nmc_roles_may_leave_registration_out():
    assert registration_errors(role=ProfessionalRole.MIDWIFE, body="", number="") == {}
