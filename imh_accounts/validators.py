"""Professional registration numbers: normalising them and checking their format per body.

The patterns are written in the subset of regular-expression syntax that Python, PostgreSQL
and SQLite (through Django's REGEXP function) read the same way, because the model's check
constraint reuses them.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from imh_accounts.choices import NMC_ONLY_ROLES, RegistrationBody

REGISTRATION_NUMBER_PATTERNS: dict[str, str] = {
    # NMC PIN: 2 digits, 1 letter, 4 digits, 1 letter, e.g. 12A3456E.
    RegistrationBody.NMC: r"^[0-9]{2}[A-Z][0-9]{4}[A-Z]$",
    # HCPC: a 2 or 3 letter profession prefix, then 5 or 6 digits, e.g. PYL12345.
    RegistrationBody.HCPC: r"^[A-Z]{2,3}[0-9]{5,6}$",
    # Social Work England: SW then digits, e.g. SW12345.
    RegistrationBody.SOCIAL_WORK_ENGLAND: r"^SW[0-9]+$",
    # GMC reference number: 7 digits.
    RegistrationBody.GMC: r"^[0-9]{7}$",
    RegistrationBody.OTHER: r"^[A-Z0-9][A-Z0-9/-]*$",
}

REGISTRATION_NUMBER_MESSAGES: dict[str, str] = {
    RegistrationBody.NMC: _(
        "Enter your NMC PIN in the correct format: 2 numbers, 1 letter, 4 numbers and "
        "1 letter, like 12A3456E"
    ),
    RegistrationBody.HCPC: _(
        "Enter your HCPC registration number in the correct format: 2 or 3 letters "
        "followed by 5 or 6 numbers, like PYL12345"
    ),
    RegistrationBody.SOCIAL_WORK_ENGLAND: _(
        "Enter your Social Work England registration number in the correct format: SW "
        "followed by numbers, like SW12345"
    ),
    RegistrationBody.GMC: _(
        "Enter your GMC reference number in the correct format: 7 numbers, like 1234567"
    ),
    RegistrationBody.OTHER: _(
        "Registration number must only include letters, numbers, hyphens (-) and slashes (/)"
    ),
}

MESSAGE_BODY_REQUIRED = _("Select who you are registered with, or clear the registration number")
MESSAGE_NUMBER_REQUIRED = _("Enter your registration number")
MESSAGE_NMC_REQUIRED = _(
    "Select the NMC: midwives, student midwives and health visitors are registered with "
    "the Nursing and Midwifery Council"
)

_WHITESPACE = re.compile(r"\s+")


def normalise_registration_number(value: str | None) -> str:
    """Upper case with every space removed: ' 12a 3456e ' becomes '12A3456E'."""
    return _WHITESPACE.sub("", value or "").upper()


def registration_errors(*, role: str, body: str, number: str) -> dict[str, str]:
    """Field name -> message for every broken registration rule; empty when all hold.

    ``number`` must already be normalised.
    """
    errors: dict[str, str] = {}
    if number and not body:
        errors["registration_body"] = MESSAGE_BODY_REQUIRED
    elif body and not number:
        errors["registration_number"] = MESSAGE_NUMBER_REQUIRED
    elif body and number:
        if role in NMC_ONLY_ROLES and body != RegistrationBody.NMC:
            errors["registration_body"] = MESSAGE_NMC_REQUIRED
        pattern = REGISTRATION_NUMBER_PATTERNS.get(body)
        if pattern and not re.match(pattern, number):
            errors["registration_number"] = REGISTRATION_NUMBER_MESSAGES[body]
    return errors
