"""Services: creating and updating profiles, and deleting (pseudonymising) accounts."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import user_signed_up
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from imh_accounts import services
from imh_accounts.choices import ProfessionalRole, RegistrationBody
from imh_accounts.models import Profile
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


class TestProfileGetOrCreate:
    def test_creates_an_empty_profile_once(self, user):
        first = services.profile_get_or_create(user=user)
        second = services.profile_get_or_create(user=user)
        assert first.pk == second.pk
        assert Profile.objects.filter(user=user).count() == 1
        assert not first.is_complete

    def test_takes_the_name_from_a_user_created_elsewhere(self):
        user = UserFactory(first_name="Sam", last_name="Jones")
        assert services.profile_get_or_create(user=user).full_name == "Sam Jones"

    def test_allauth_sign_up_signal_creates_the_profile(self, user):
        request = RequestFactory().get("/")
        user_signed_up.send(sender=user.__class__, request=request, user=user)
        assert Profile.objects.filter(user=user).exists()


class TestProfileUpdate:
    def test_saves_and_normalises(self, user):
        profile = services.profile_update(
            user=user,
            full_name="  Alex   Smith ",
            professional_role=ProfessionalRole.HEALTH_VISITOR,
            registration_body=RegistrationBody.NMC,
            registration_number="12a 3456e",
            job_title="Health visitor, 0-5 team",
        )
        profile.refresh_from_db()
        assert profile.full_name == "Alex Smith"
        assert profile.registration_number == "12A3456E"
        assert profile.is_complete

    def test_creates_the_profile_when_missing(self, user):
        services.profile_update(user=user, full_name="Alex", professional_role="other")
        assert Profile.objects.get(user=user).full_name == "Alex"

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"full_name": " "}, "full_name"),
            ({"professional_role": ""}, "professional_role"),
            ({"registration_number": "NOT-A-PIN"}, "registration_number"),
            ({"registration_body": RegistrationBody.GMC}, "registration_body"),
            ({"full_name": "A" * 151}, "full_name"),
        ],
    )
    def test_invalid_input_changes_nothing(self, profile, changes, field):
        before = Profile.objects.values().get(pk=profile.pk)
        values = {
            "full_name": "Alex Smith",
            "professional_role": ProfessionalRole.MIDWIFE,
            "registration_body": RegistrationBody.NMC,
            "registration_number": "12A3456E",
            **changes,
        }
        with pytest.raises(ValidationError) as excinfo:
            services.profile_update(user=profile.user, **values)
        assert field in excinfo.value.message_dict
        assert Profile.objects.values().get(pk=profile.pk) == before

    def test_a_deleted_profile_cannot_be_filled_again(self, user):
        services.account_delete(user=user, password=DEFAULT_PASSWORD)
        with pytest.raises(ValidationError):
            services.profile_update(user=user, full_name="Alex", professional_role="other")


class TestAccountDelete:
    def test_wrong_password_changes_nothing(self, profile, register_eraser):
        user = profile.user
        calls = []
        register_eraser("test", calls.append)
        with pytest.raises(ValidationError) as excinfo:
            services.account_delete(user=user, password="not-my-password")
        assert "password" in excinfo.value.message_dict
        user.refresh_from_db()
        assert user.is_active
        assert user.email == "alex@example.org"
        assert user.check_password(DEFAULT_PASSWORD)
        assert EmailAddress.objects.filter(user=user).exists()
        assert Profile.objects.get(user=user).full_name == "Alex Smith"
        assert calls == []

    def test_right_password_pseudonymises_everything(self, profile, register_eraser):
        user = profile.user
        user.first_name, user.last_name, user.is_staff = "Alex", "Smith", True
        user.save()
        user.groups.add(Group.objects.create(name="Course reviewers"))
        seen = []
        register_eraser("test", lambda u: seen.append((u.pk, u.email)))

        services.account_delete(user=user, password=DEFAULT_PASSWORD)

        user.refresh_from_db()
        assert user.username.startswith("deleted-")
        assert user.email == f"{user.username}@invalid"
        assert (user.first_name, user.last_name) == ("", "")
        assert not user.has_usable_password()
        assert not user.is_active
        assert not user.is_staff
        assert not user.groups.exists()
        assert not EmailAddress.objects.filter(user=user).exists()
        profile.refresh_from_db()
        assert profile.deleted_at is not None
        assert (profile.full_name, profile.professional_role, profile.registration_number) == (
            "",
            "",
            "",
        )
        # The eraser ran first, while the email address could still find the person's records.
        assert seen == [(user.pk, "alex@example.org")]

    def test_pseudonyms_differ_between_accounts(self):
        first, second = UserFactory(), UserFactory()
        services.account_delete(user=first, password=DEFAULT_PASSWORD)
        services.account_delete(user=second, password=DEFAULT_PASSWORD)
        assert first.username != second.username

    def test_a_failing_eraser_rolls_everything_back(self, profile, register_eraser):
        def broken(user):
            raise RuntimeError("certificates could not be erased")

        register_eraser("broken", broken)
        with pytest.raises(RuntimeError):
            services.account_delete(user=profile.user, password=DEFAULT_PASSWORD)
        profile.refresh_from_db()
        profile.user.refresh_from_db()
        assert profile.user.is_active
        assert profile.user.email == "alex@example.org"
        assert profile.deleted_at is None
        assert EmailAddress.objects.filter(user=profile.user).exists()

    def test_works_for_a_user_without_a_profile(self, user):
        services.account_delete(user=user, password=DEFAULT_PASSWORD)
        assert Profile.objects.get(user=user).deleted_at is not None
