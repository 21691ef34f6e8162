"""Integrity rules the database itself enforces, and the models' small helpers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from imh_organisations.models import (
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    Invitation,
    Membership,
    Organisation,
)
from tests.organisations.factories import (
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db


class TestOrganisation:
    def test_join_code_is_made_from_the_unambiguous_alphabet(self):
        organisation = OrganisationFactory()
        assert len(organisation.join_code) == JOIN_CODE_LENGTH
        assert set(organisation.join_code) <= set(JOIN_CODE_ALPHABET)
        assert not set("0O1IL") & set(JOIN_CODE_ALPHABET)

    def test_join_code_lasts_thirty_days(self):
        organisation = OrganisationFactory()
        remaining = organisation.join_code_expires_at - timezone.now()
        assert timedelta(days=29, hours=23) < remaining <= timedelta(days=30)
        assert not organisation.join_code_is_expired

    def test_join_code_display_splits_in_two(self):
        organisation = OrganisationFactory(join_code="ABCD2345")
        assert organisation.join_code_display == "ABCD-2345"

    def test_join_codes_are_unique_in_the_database(self):
        OrganisationFactory(join_code="ABCD2345")
        with pytest.raises(IntegrityError), transaction.atomic():
            OrganisationFactory(join_code="ABCD2345")

    def test_join_code_must_be_eight_characters_in_the_database(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            OrganisationFactory(join_code="ABC")

    @pytest.mark.parametrize("code", ["RX1", "8HK49", "ABCDEFGHIJ", ""])
    def test_valid_ods_codes(self, code):
        OrganisationFactory.build(ods_code=code).full_clean()

    @pytest.mark.parametrize("code", ["rx1", "AB", "ABCDEFGHIJK", "RX-1", "R X1"])
    def test_invalid_ods_codes_are_rejected(self, code):
        with pytest.raises(ValidationError) as excinfo:
            OrganisationFactory.build(ods_code=code).full_clean()
        assert "ods_code" in excinfo.value.error_dict

    def test_ods_code_length_is_checked_by_the_database(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            OrganisationFactory(ods_code="AB")

    def test_ods_code_is_unique_when_present(self):
        OrganisationFactory(ods_code="RX1")
        with pytest.raises(IntegrityError), transaction.atomic():
            OrganisationFactory(ods_code="RX1")

    def test_many_organisations_may_have_no_ods_code(self):
        OrganisationFactory(ods_code="")
        OrganisationFactory(ods_code="")
        assert Organisation.objects.filter(ods_code="").count() == 2

    def test_duplicate_ods_code_is_a_clear_validation_error(self):
        OrganisationFactory(ods_code="RX1")
        with pytest.raises(ValidationError) as excinfo:
            OrganisationFactory.build(ods_code="RX1").full_clean()
        assert "Another organisation already has this ODS code." in excinfo.value.messages

    def test_unknown_type_is_refused_by_the_database(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            OrganisationFactory(organisation_type="spaceship")


class TestMembership:
    def test_a_second_current_membership_is_refused_by_the_database(self):
        membership = MembershipFactory(status=Membership.Status.ACTIVE)
        with pytest.raises(IntegrityError), transaction.atomic():
            Membership.objects.create(
                user=membership.user,
                organisation=membership.organisation,
                status=Membership.Status.PENDING,
            )
        assert Membership.objects.count() == 1

    def test_history_does_not_block_a_new_membership(self):
        left = MembershipFactory(status=Membership.Status.LEFT)
        MembershipFactory(user=left.user, organisation=left.organisation, status="declined")
        MembershipFactory(user=left.user, organisation=left.organisation, status="pending")
        assert Membership.objects.filter(user=left.user).count() == 3

    def test_a_person_may_belong_to_several_organisations(self):
        first = MembershipFactory()
        MembershipFactory(user=first.user)
        assert Membership.objects.filter(user=first.user, status="active").count() == 2

    def test_unknown_role_is_refused_by_the_database(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            MembershipFactory(role="owner")

    def test_helpers(self):
        manager = MembershipFactory(role="manager")
        assert manager.is_current
        assert manager.is_active_manager
        assert not MembershipFactory(status="left").is_current


class TestInvitation:
    def test_defaults(self):
        invitation = InvitationFactory()
        assert len(invitation.token) >= 40
        remaining = invitation.expires_at - timezone.now()
        assert timedelta(days=13, hours=23) < remaining <= timedelta(days=14)
        assert invitation.state == Invitation.State.OPEN

    def test_one_open_invitation_per_organisation_and_email_whatever_the_case(self):
        invitation = InvitationFactory(email="Sam.Jones@Example.org")
        with pytest.raises(IntegrityError), transaction.atomic():
            InvitationFactory(organisation=invitation.organisation, email="sam.jones@example.org")

    def test_closed_invitations_do_not_block_a_new_one(self):
        revoked = InvitationFactory(revoked_at=timezone.now())
        InvitationFactory(
            organisation=revoked.organisation,
            email=revoked.email,
            accepted_at=timezone.now(),
        )
        InvitationFactory(organisation=revoked.organisation, email=revoked.email)
        assert Invitation.objects.filter(email=revoked.email).count() == 3

    def test_the_same_email_may_be_invited_by_two_organisations(self):
        invitation = InvitationFactory()
        InvitationFactory(email=invitation.email)

    def test_cannot_be_both_accepted_and_revoked(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            InvitationFactory(accepted_at=timezone.now(), revoked_at=timezone.now())

    def test_states(self):
        now = timezone.now()
        assert InvitationFactory(accepted_at=now).state == "accepted"
        assert InvitationFactory(revoked_at=now).state == "revoked"
        assert InvitationFactory(expires_at=now - timedelta(seconds=1)).state == "expired"
