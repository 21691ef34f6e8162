"""Factories for profiles (test set-up, not business rules)."""

from __future__ import annotations

import factory

from imh_accounts.choices import ProfessionalRole, RegistrationBody
from imh_accounts.models import Profile
from tests.factories import UserFactory


class ProfileFactory(factory.django.DjangoModelFactory):
    """A complete profile: a midwife with an NMC PIN."""

    class Meta:
        model = Profile
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    full_name = factory.Sequence(lambda n: f"Alex Midwife {n}")
    professional_role = ProfessionalRole.MIDWIFE
    registration_body = RegistrationBody.NMC
    registration_number = "12A3456E"
    job_title = "Community midwife"


class EmptyProfileFactory(ProfileFactory):
    """A profile as sign-up creates it: nothing filled in."""

    full_name = ""
    professional_role = ""
    registration_body = ""
    registration_number = ""
    job_title = ""
