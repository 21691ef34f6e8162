"""The organisation services: each rule, each clear error, and the emails that go out."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from imh_accounts import privacy
from imh_organisations import services
from imh_organisations.models import Invitation, Membership, Organisation
from tests.factories import UserFactory
from tests.organisations.factories import (
    InvitationFactory,
    ManagerMembershipFactory,
    MembershipFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db


def error_code(excinfo) -> str:
    error = excinfo.value
    if hasattr(error, "error_dict"):
        return next(iter(error.error_dict.values()))[0].code
    return error.error_list[0].code


@pytest.fixture
def send_on_commit(django_capture_on_commit_callbacks):
    """Run the after-commit callbacks (emails) that the test transaction would otherwise drop."""

    def capture():
        return django_capture_on_commit_callbacks(execute=True)

    return capture


class TestOrganisationCreate:
    def test_creates_with_slug_join_code_and_normalised_ods_code(self):
        organisation = services.organisation_create(
            name="  Leeds Community Healthcare NHS Trust ",
            organisation_type=Organisation.Type.NHS_TRUST,
            ods_code=" ry6 ",
        )
        assert organisation.pk
        assert organisation.name == "Leeds Community Healthcare NHS Trust"
        assert organisation.slug == "leeds-community-healthcare-nhs-trust"
        assert organisation.ods_code == "RY6"
        assert len(organisation.join_code) == 8
        assert organisation.is_active

    def test_slugs_are_made_unique(self):
        first = services.organisation_create(name="Little Acorns", organisation_type="nursery")
        second = services.organisation_create(name="Little Acorns", organisation_type="nursery")
        assert (first.slug, second.slug) == ("little-acorns", "little-acorns-2")

    def test_oversized_name_is_a_clear_error_and_nothing_is_saved(self):
        with pytest.raises(ValidationError) as excinfo:
            services.organisation_create(name="N" * 201, organisation_type="charity")
        assert excinfo.value.message_dict["name"] == [
            "Enter an organisation name of 200 characters or fewer."
        ]
        assert not Organisation.objects.exists()

    def test_blank_name_is_a_clear_error(self):
        with pytest.raises(ValidationError) as excinfo:
            services.organisation_create(name="  ", organisation_type="charity")
        assert excinfo.value.message_dict["name"] == ["Enter the organisation's name."]

    def test_bad_ods_code_is_a_clear_error(self):
        with pytest.raises(ValidationError) as excinfo:
            services.organisation_create(name="X", organisation_type="charity", ods_code="R-1")
        assert "ODS code of 3 to 10 capital letters" in excinfo.value.message_dict["ods_code"][0]

    def test_duplicate_ods_code_is_a_clear_error(self):
        services.organisation_create(name="A", organisation_type="nhs_trust", ods_code="RX1")
        with pytest.raises(ValidationError) as excinfo:
            services.organisation_create(name="B", organisation_type="nhs_trust", ods_code="rx1")
        assert "Another organisation already has this ODS code." in excinfo.value.messages
        assert Organisation.objects.count() == 1

    def test_unknown_type_is_an_error(self):
        with pytest.raises(ValidationError) as excinfo:
            services.organisation_create(name="A", organisation_type="castle")
        assert "organisation_type" in excinfo.value.message_dict


class TestJoinCodeRegenerate:
    def test_manager_gets_a_new_code_and_the_old_one_stops_working(self, organisation, manager):
        old_code = organisation.join_code
        with time_machine.travel(timezone.now() + timedelta(days=20), tick=False):
            updated = services.organisation_join_code_regenerate(
                organisation=organisation, actor=manager
            )
            assert updated.join_code != old_code
            assert updated.join_code_expires_at == timezone.now() + timedelta(days=30)
            with pytest.raises(ValidationError) as excinfo:
                services.membership_request_by_code(user=UserFactory(), code=old_code)
            assert error_code(excinfo) == "unknown_code"

    def test_staff_cannot_regenerate(self, organisation, staff):
        old_code = organisation.join_code
        with pytest.raises(PermissionDenied):
            services.organisation_join_code_regenerate(organisation=organisation, actor=staff)
        organisation.refresh_from_db()
        assert organisation.join_code == old_code

    def test_manager_of_another_organisation_cannot_regenerate(self, organisation, other_manager):
        with pytest.raises(PermissionDenied):
            services.organisation_join_code_regenerate(
                organisation=organisation, actor=other_manager
            )


class TestJoinByCode:
    def test_request_then_manager_approval(self, organisation, manager, user, send_on_commit):
        with send_on_commit():
            membership = services.membership_request_by_code(user=user, code=organisation.join_code)
        assert membership.status == Membership.Status.PENDING
        assert membership.role == Membership.Role.STAFF
        assert membership.source == Membership.Source.JOIN_CODE
        assert [message.to for message in mail.outbox] == [[manager.email]]
        assert organisation.name in mail.outbox[0].subject
        assert f"http://testserver/organisations/{organisation.pk}/manage/" in mail.outbox[0].body

        mail.outbox.clear()
        with send_on_commit():
            approved = services.membership_approve(membership=membership, actor=manager)
        assert approved.status == Membership.Status.ACTIVE
        assert approved.decided_by == manager
        assert approved.decided_at is not None
        assert [message.to for message in mail.outbox] == [[user.email]]
        assert f"You have joined {organisation.name}" == mail.outbox[0].subject

    def test_every_active_manager_is_told_separately(
        self, organisation, manager, user, send_on_commit
    ):
        second = ManagerMembershipFactory(organisation=organisation).user
        ManagerMembershipFactory(organisation=organisation, status="left")
        MembershipFactory(organisation=organisation)  # staff are not told
        with send_on_commit():
            services.membership_request_by_code(user=user, code=organisation.join_code)
        assert sorted(m.to for m in mail.outbox) == sorted([[manager.email], [second.email]])

    def test_no_email_when_the_request_fails(self, organisation, manager, staff, send_on_commit):
        with send_on_commit(), pytest.raises(ValidationError):
            services.membership_request_by_code(user=staff, code=organisation.join_code)
        assert mail.outbox == []

    @pytest.mark.parametrize("typed", ["abcd2345", "ABCD-2345", " abcd 2345 ", "AB-CD 23-45"])
    def test_code_is_matched_ignoring_case_spaces_and_dashes(self, typed, user):
        organisation = OrganisationFactory(join_code="ABCD2345")
        membership = services.membership_request_by_code(user=user, code=typed)
        assert membership.organisation == organisation

    def test_unknown_code(self, organisation, user):
        with pytest.raises(ValidationError) as excinfo:
            services.membership_request_by_code(user=user, code="ZZZZ9999")
        assert error_code(excinfo) == "unknown_code"
        assert excinfo.value.message_dict["code"] == [
            "We could not find an organisation with that join code. Check the code and try again."
        ]
        assert not Membership.objects.filter(user=user).exists()

    def test_empty_code(self, user):
        with pytest.raises(ValidationError) as excinfo:
            services.membership_request_by_code(user=user, code=" - ")
        assert error_code(excinfo) == "required"

    def test_expired_code(self, organisation, user):
        later = organisation.join_code_expires_at + timedelta(minutes=1)
        with time_machine.travel(later), pytest.raises(ValidationError) as excinfo:
            services.membership_request_by_code(user=user, code=organisation.join_code)
        assert error_code(excinfo) == "expired_code"
        assert "has expired" in excinfo.value.message_dict["code"][0]
        assert not Membership.objects.filter(user=user).exists()

    def test_already_a_member(self, organisation, staff):
        with pytest.raises(ValidationError) as excinfo:
            services.membership_request_by_code(user=staff, code=organisation.join_code)
        assert error_code(excinfo) == "already_member"
        assert excinfo.value.message_dict["code"] == [
            f"You are already a member of {organisation.name}."
        ]
        assert Membership.objects.filter(user=staff).count() == 1

    def test_already_asked(self, organisation, user):
        services.membership_request_by_code(user=user, code=organisation.join_code)
        with pytest.raises(ValidationError) as excinfo:
            services.membership_request_by_code(user=user, code=organisation.join_code)
        assert error_code(excinfo) == "already_requested"
        assert Membership.objects.filter(user=user).count() == 1

    def test_inactive_organisation_cannot_be_joined(self, user):
        organisation = OrganisationFactory(is_active=False)
        with pytest.raises(ValidationError) as excinfo:
            services.membership_request_by_code(user=user, code=organisation.join_code)
        assert error_code(excinfo) == "unknown_code"

    def test_a_person_who_left_may_ask_again(self, organisation, staff_membership):
        services.membership_leave(membership=staff_membership, actor=staff_membership.user)
        again = services.membership_request_by_code(
            user=staff_membership.user, code=organisation.join_code
        )
        assert again.status == "pending"
        assert Membership.objects.filter(user=staff_membership.user).count() == 2


class TestDecisions:
    @pytest.fixture
    def request_(self, organisation, user):
        return services.membership_request_by_code(user=user, code=organisation.join_code)

    def test_decline_emails_the_person(self, request_, manager, send_on_commit):
        with send_on_commit():
            declined = services.membership_decline(membership=request_, actor=manager)
        assert declined.status == Membership.Status.DECLINED
        assert declined.decided_by == manager
        assert mail.outbox[-1].to == [request_.user.email]
        assert "did not approve" in mail.outbox[-1].body

    def test_staff_cannot_approve(self, request_, staff):
        with pytest.raises(PermissionDenied):
            services.membership_approve(membership=request_, actor=staff)
        request_.refresh_from_db()
        assert request_.status == "pending"

    def test_manager_of_another_organisation_cannot_approve(self, request_, other_manager):
        with pytest.raises(PermissionDenied):
            services.membership_approve(membership=request_, actor=other_manager)
        request_.refresh_from_db()
        assert request_.status == "pending"

    def test_former_manager_cannot_approve(self, request_, organisation):
        former = ManagerMembershipFactory(organisation=organisation, status="left").user
        with pytest.raises(PermissionDenied):
            services.membership_decline(membership=request_, actor=former)

    def test_a_request_is_decided_once(self, request_, manager):
        services.membership_approve(membership=request_, actor=manager)
        with pytest.raises(ValidationError) as excinfo:
            services.membership_decline(membership=request_, actor=manager)
        assert error_code(excinfo) == "not_pending"
        request_.refresh_from_db()
        assert request_.status == "active"


class TestLeave:
    def test_member_leaves_and_history_is_kept(self, staff_membership):
        left = services.membership_leave(membership=staff_membership, actor=staff_membership.user)
        assert left.status == Membership.Status.LEFT
        assert left.ended_at is not None
        assert left.ended_by == staff_membership.user
        assert Membership.objects.filter(pk=staff_membership.pk).exists()

    def test_withdrawing_a_request(self, organisation, user):
        pending = services.membership_request_by_code(user=user, code=organisation.join_code)
        assert services.membership_leave(membership=pending, actor=user).status == "left"

    def test_leaving_twice_is_an_error(self, staff_membership):
        services.membership_leave(membership=staff_membership, actor=staff_membership.user)
        with pytest.raises(ValidationError) as excinfo:
            services.membership_leave(membership=staff_membership, actor=staff_membership.user)
        assert error_code(excinfo) == "not_current"

    def test_the_last_manager_cannot_leave(self, organisation, manager):
        membership = Membership.objects.get(user=manager, organisation=organisation)
        with pytest.raises(ValidationError) as excinfo:
            services.membership_leave(membership=membership, actor=manager)
        assert error_code(excinfo) == "last_manager"
        assert excinfo.value.messages == [
            f"You are the only manager of {organisation.name}. Make someone else a manager "
            "before you leave."
        ]
        membership.refresh_from_db()
        assert membership.status == "active"

    def test_a_manager_can_leave_when_another_manager_remains(self, organisation, manager):
        ManagerMembershipFactory(organisation=organisation)
        membership = Membership.objects.get(user=manager, organisation=organisation)
        assert services.membership_leave(membership=membership, actor=manager).status == "left"

    def test_a_manager_removes_staff_and_they_are_told(
        self, staff_membership, manager, send_on_commit
    ):
        with send_on_commit():
            removed = services.membership_leave(membership=staff_membership, actor=manager)
        assert removed.status == "left"
        assert removed.ended_by == manager
        assert mail.outbox[-1].to == [staff_membership.user.email]

    def test_a_manager_cannot_remove_another_manager(self, organisation, manager):
        other = ManagerMembershipFactory(organisation=organisation)
        with pytest.raises(ValidationError) as excinfo:
            services.membership_leave(membership=other, actor=manager)
        assert error_code(excinfo) == "cannot_remove_manager"

    def test_staff_cannot_remove_other_staff(self, organisation, staff_membership):
        colleague = MembershipFactory(organisation=organisation).user
        with pytest.raises(PermissionDenied):
            services.membership_leave(membership=staff_membership, actor=colleague)
        staff_membership.refresh_from_db()
        assert staff_membership.status == "active"

    def test_another_organisations_manager_cannot_remove(self, staff_membership, other_manager):
        with pytest.raises(PermissionDenied):
            services.membership_leave(membership=staff_membership, actor=other_manager)


class TestSetRole:
    def test_promote_and_demote(self, organisation, manager, staff_membership, send_on_commit):
        with send_on_commit():
            promoted = services.membership_set_role(
                membership=staff_membership, role="manager", actor=manager
            )
        assert promoted.role == "manager"
        assert "You are now a manager." in mail.outbox[-1].body
        mine = Membership.objects.get(user=manager, organisation=organisation)
        assert services.membership_set_role(membership=mine, role="staff", actor=manager).role == (
            "staff"
        )

    def test_the_last_manager_cannot_be_made_staff(self, organisation, manager):
        mine = Membership.objects.get(user=manager, organisation=organisation)
        with pytest.raises(ValidationError) as excinfo:
            services.membership_set_role(membership=mine, role="staff", actor=manager)
        assert error_code(excinfo) == "last_manager"
        mine.refresh_from_db()
        assert mine.role == "manager"

    def test_unknown_role(self, staff_membership, manager):
        with pytest.raises(ValidationError) as excinfo:
            services.membership_set_role(membership=staff_membership, role="owner", actor=manager)
        assert excinfo.value.message_dict == {"role": ["Choose staff or manager."]}

    def test_only_active_members(self, organisation, manager, user):
        pending = services.membership_request_by_code(user=user, code=organisation.join_code)
        with pytest.raises(ValidationError):
            services.membership_set_role(membership=pending, role="manager", actor=manager)

    def test_staff_cannot_change_roles(self, staff_membership):
        with pytest.raises(PermissionDenied):
            services.membership_set_role(
                membership=staff_membership, role="manager", actor=staff_membership.user
            )


class TestCreateActive:
    def test_makes_an_active_manager(self, organisation, user):
        membership = services.membership_create_active(
            organisation=organisation, user=user, role=Membership.Role.MANAGER
        )
        assert (membership.status, membership.role, membership.source) == (
            "active",
            "manager",
            "admin",
        )

    def test_approves_a_waiting_request(self, organisation, user):
        pending = services.membership_request_by_code(user=user, code=organisation.join_code)
        membership = services.membership_create_active(
            organisation=organisation, user=user, role="staff"
        )
        assert membership.pk == pending.pk
        assert membership.status == "active"

    def test_an_active_member_is_an_error(self, organisation, staff):
        with pytest.raises(ValidationError) as excinfo:
            services.membership_create_active(organisation=organisation, user=staff)
        assert error_code(excinfo) == "already_member"


class TestInvitations:
    def test_invitation_email_and_acceptance(self, organisation, manager, send_on_commit):
        with send_on_commit():
            invitation = services.invitation_create(
                organisation=organisation,
                email="Jo.Bloggs@Example.org",
                role="manager",
                actor=manager,
            )
        assert invitation.email == "Jo.Bloggs@example.org"
        assert invitation.invited_by == manager
        message = mail.outbox[-1]
        assert message.to == ["Jo.Bloggs@example.org"]
        assert f"http://testserver/organisations/invitations/{invitation.token}/" in message.body
        assert organisation.name in message.subject
        assert "as a manager" in message.body

        invitee = UserFactory(email="jo.bloggs@example.org")
        membership = services.invitation_accept(token=invitation.token, user=invitee)
        assert (membership.status, membership.role, membership.source) == (
            "active",
            "manager",
            "invitation",
        )
        assert membership.decided_by == manager
        invitation.refresh_from_db()
        assert invitation.accepted_by == invitee
        assert invitation.state == "accepted"

    def test_refused_for_a_different_user(self, organisation, manager):
        invitation = services.invitation_create(
            organisation=organisation, email="jo@example.org", role="staff", actor=manager
        )
        stranger = UserFactory()
        with pytest.raises(ValidationError) as excinfo:
            services.invitation_accept(token=invitation.token, user=stranger)
        assert error_code(excinfo) == "wrong_user"
        assert "This invitation was sent to jo@example.org." in excinfo.value.messages[0]
        assert not Membership.objects.filter(user=stranger).exists()
        invitation.refresh_from_db()
        assert invitation.is_open

    def test_refused_for_an_unverified_address(self, organisation, manager):
        invitation = services.invitation_create(
            organisation=organisation, email="jo@example.org", role="staff", actor=manager
        )
        holder = UserFactory(email="jo@example.org", verified=False)
        EmailAddress.objects.create(user=holder, email="jo@example.org", verified=False)
        with pytest.raises(ValidationError) as excinfo:
            services.invitation_accept(token=invitation.token, user=holder)
        assert error_code(excinfo) == "wrong_user"

    def test_a_verified_secondary_address_is_enough(self, organisation, manager):
        invitation = services.invitation_create(
            organisation=organisation, email="work@nhs.example", role="staff", actor=manager
        )
        person = UserFactory()
        EmailAddress.objects.create(user=person, email="WORK@nhs.example", verified=True)
        assert services.invitation_accept(token=invitation.token, user=person).status == "active"

    def test_expired_token(self, organisation, manager):
        invitation = services.invitation_create(
            organisation=organisation, email="jo@example.org", role="staff", actor=manager
        )
        invitee = UserFactory(email="jo@example.org")
        later = timezone.now() + timedelta(days=15)
        with time_machine.travel(later), pytest.raises(ValidationError) as excinfo:
            services.invitation_accept(token=invitation.token, user=invitee)
        assert error_code(excinfo) == "expired"
        assert not Membership.objects.filter(user=invitee).exists()

    def test_revoked_used_and_unknown_tokens(self, organisation, manager):
        invitee = UserFactory(email="jo@example.org")
        revoked = InvitationFactory(
            organisation=organisation, email=invitee.email, revoked_at=timezone.now()
        )
        used = InvitationFactory(
            organisation=organisation, email=invitee.email, accepted_at=timezone.now()
        )
        for token, code in [
            (revoked.token, "revoked"),
            (used.token, "accepted"),
            ("nope", "unknown"),
        ]:
            with pytest.raises(ValidationError) as excinfo:
                services.invitation_accept(token=token, user=invitee)
            assert error_code(excinfo) == code
        assert not Membership.objects.filter(user=invitee).exists()

    def test_accepting_approves_a_waiting_request(self, organisation, manager):
        invitee = UserFactory(email="jo@example.org")
        pending = services.membership_request_by_code(user=invitee, code=organisation.join_code)
        invitation = services.invitation_create(
            organisation=organisation, email=invitee.email, role="staff", actor=manager
        )
        membership = services.invitation_accept(token=invitation.token, user=invitee)
        assert membership.pk == pending.pk
        assert membership.status == "active"

    def test_inviting_an_active_member_is_an_error(self, organisation, manager, staff):
        with pytest.raises(ValidationError) as excinfo:
            services.invitation_create(
                organisation=organisation, email=staff.email.upper(), role="staff", actor=manager
            )
        assert error_code(excinfo) == "already_member"
        assert "already a member" in excinfo.value.message_dict["email"][0]
        assert not Invitation.objects.exists()

    def test_a_second_open_invitation_is_an_error(self, organisation, manager):
        services.invitation_create(
            organisation=organisation, email="jo@example.org", role="staff", actor=manager
        )
        with pytest.raises(ValidationError) as excinfo:
            services.invitation_create(
                organisation=organisation, email="JO@example.org", role="staff", actor=manager
            )
        assert error_code(excinfo) == "already_invited"
        assert Invitation.objects.count() == 1

    def test_an_expired_invitation_is_replaced(self, organisation, manager):
        old = InvitationFactory(
            organisation=organisation,
            email="jo@example.org",
            expires_at=timezone.now() - timedelta(days=1),
        )
        new = services.invitation_create(
            organisation=organisation, email="jo@example.org", role="staff", actor=manager
        )
        old.refresh_from_db()
        assert old.state == "revoked"
        assert new.is_open

    def test_bad_email_is_a_clear_error(self, organisation, manager):
        with pytest.raises(ValidationError) as excinfo:
            services.invitation_create(
                organisation=organisation, email="not-an-email", role="staff", actor=manager
            )
        assert excinfo.value.message_dict["email"] == [
            "Enter an email address in the correct format, like name@example.com."
        ]

    def test_staff_cannot_invite(self, organisation, staff):
        with pytest.raises(PermissionDenied):
            services.invitation_create(
                organisation=organisation, email="jo@example.org", role="staff", actor=staff
            )
        assert not Invitation.objects.exists()

    def test_revoke(self, organisation, manager):
        invitation = InvitationFactory(organisation=organisation)
        revoked = services.invitation_revoke(invitation=invitation, actor=manager)
        assert revoked.state == "revoked"
        with pytest.raises(ValidationError) as excinfo:
            services.invitation_revoke(invitation=invitation, actor=manager)
        assert error_code(excinfo) == "not_open"

    def test_another_organisations_manager_cannot_revoke(self, organisation, other_manager):
        invitation = InvitationFactory(organisation=organisation)
        with pytest.raises(PermissionDenied):
            services.invitation_revoke(invitation=invitation, actor=other_manager)
        invitation.refresh_from_db()
        assert invitation.is_open


class TestAdminUpdate:
    def test_sets_timestamps(self, staff_membership, admin_user):
        left = services.membership_admin_update(
            membership=staff_membership, role="staff", status="left", actor=admin_user
        )
        assert left.ended_by == admin_user
        assert left.ended_at is not None

    def test_cannot_reopen_alongside_a_current_membership(self, staff_membership, admin_user):
        old = MembershipFactory(
            user=staff_membership.user,
            organisation=staff_membership.organisation,
            status="left",
        )
        with pytest.raises(ValidationError):
            services.membership_admin_update(
                membership=old, role="staff", status="active", actor=admin_user
            )


class TestPrivacy:
    def test_registered_with_accounts(self):
        assert "organisations" in privacy.exporters()
        assert "organisations" in privacy.erasers()

    def test_export(self, staff_membership, organisation):
        user = staff_membership.user
        InvitationFactory(organisation=organisation, email=user.email.upper())
        InvitationFactory(organisation=organisation)  # someone else's
        data = privacy.exporters()["organisations"](user)
        assert data["memberships"] == [
            {
                "organisation": organisation.name,
                "role": "Staff",
                "status": "Active",
                "how_it_started": "Added by an administrator",
                "requested_at": staff_membership.requested_at.isoformat(),
                "decided_at": None,
                "ended_at": None,
            }
        ]
        assert [item["email"] for item in data["invitations"]] == [user.email.upper()]
        assert data["invitations"][0]["state"] == "Open"

    def test_erase(self, staff_membership, organisation, other_organisation):
        user = staff_membership.user
        pending = MembershipFactory(user=user, organisation=other_organisation, status="pending")
        invitation = InvitationFactory(organisation=other_organisation, email=user.email)
        stranger_invitation = InvitationFactory(organisation=organisation)
        privacy.erasers()["organisations"](user)
        staff_membership.refresh_from_db()
        pending.refresh_from_db()
        invitation.refresh_from_db()
        stranger_invitation.refresh_from_db()
        assert staff_membership.status == pending.status == "left"
        assert invitation.state == "revoked"
        assert stranger_invitation.is_open

    def test_erase_ignores_the_last_manager_rule(self, organisation, manager):
        privacy.erasers()["organisations"](manager)
        assert not Membership.objects.filter(user=manager, status="active").exists()
