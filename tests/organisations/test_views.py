"""Members' and managers' pages: journeys, errors, and that nobody reaches past their own."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from imh_organisations.models import Invitation, Membership, Organisation
from imh_organisations.views import JOIN_ATTEMPTS_PER_WINDOW
from tests.factories import UserFactory
from tests.organisations.factories import (
    InvitationFactory,
    ManagerMembershipFactory,
    MembershipFactory,
)

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def send_on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


class TestAnonymous:
    @pytest.mark.parametrize(
        ("name", "kwargs"),
        [
            ("imh_organisations:mine", {}),
            ("imh_organisations:join", {}),
            ("imh_organisations:leave", {"pk": 1}),
            ("imh_organisations:manage", {"pk": 1}),
            ("imh_organisations:invite", {"pk": 1}),
            ("imh_organisations:join_code", {"pk": 1}),
            ("imh_organisations:membership_role", {"pk": 1, "membership_pk": 1}),
            ("imh_organisations:membership_remove", {"pk": 1, "membership_pk": 1}),
        ],
    )
    def test_redirected_to_log_in(self, client, name, kwargs):
        url = reverse(name, kwargs=kwargs)
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={url}"

    def test_posts_redirect_to_log_in_and_change_nothing(self, client, organisation, manager):
        pending = MembershipFactory(organisation=organisation, status="pending")
        url = reverse("imh_organisations:membership_approve", args=[organisation.pk, pending.pk])
        response = client.post(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        pending.refresh_from_db()
        assert pending.status == "pending"


class TestMine:
    def test_lists_current_memberships_and_requests(self, as_user, organisation, manager):
        pending = MembershipFactory(user=manager, status="pending")
        MembershipFactory(user=manager, status="left", organisation__name="Old Place")
        response = as_user(manager).get(reverse("imh_organisations:mine"))
        assert response.status_code == 200
        content = response.content.decode()
        assert "<title>Your organisations" in content
        assert escape(organisation.name) in content
        assert escape(pending.organisation.name) in content
        assert "Old Place" not in content
        assert 'nhsuk-tag nhsuk-tag--green">Active' in content
        assert 'nhsuk-tag nhsuk-tag--yellow">Waiting for approval' in content
        assert reverse("imh_organisations:manage", args=[organisation.pk]) in content
        assert reverse("imh_organisations:leave", args=[pending.pk]) in content
        assert 'class="nhsuk-breadcrumb"' in content

    def test_staff_see_no_manage_link(self, as_user, organisation, staff):
        content = as_user(staff).get(reverse("imh_organisations:mine")).content.decode()
        assert organisation.name in content
        assert reverse("imh_organisations:manage", args=[organisation.pk]) not in content

    def test_empty(self, as_user, user):
        content = as_user(user).get(reverse("imh_organisations:mine")).content.decode()
        assert "You do not belong to any organisations yet." in content
        assert reverse("imh_organisations:join") in content


class TestJoin:
    def test_join_then_manager_approves(
        self, as_user, client, organisation, manager, user, send_on_commit
    ):
        as_user(user)
        with send_on_commit():
            response = client.post(
                reverse("imh_organisations:join"), {"code": organisation.join_code_display.lower()}
            )
        assert response.status_code == 302
        assert response["Location"] == reverse("imh_organisations:mine")
        membership = Membership.objects.get(user=user)
        assert membership.status == "pending"
        assert mail.outbox[-1].to == [manager.email]
        assert f"You have asked to join {organisation.name}" in messages_of(response)[0]

        as_user(manager)
        page = client.get(reverse("imh_organisations:manage", args=[organisation.pk]))
        approve_url = reverse(
            "imh_organisations:membership_approve", args=[organisation.pk, membership.pk]
        )
        assert approve_url in page.content.decode()
        with send_on_commit():
            response = client.post(approve_url)
        assert response.status_code == 302
        membership.refresh_from_db()
        assert membership.status == "active"
        assert mail.outbox[-1].to == [user.email]

    def test_wrong_code_is_shown_and_kept_in_the_field(self, as_user, organisation, user):
        response = as_user(user).post(reverse("imh_organisations:join"), {"code": "wxyz-2345"})
        assert response.status_code == 200
        content = response.content.decode()
        assert "There is a problem" in content
        assert "We could not find an organisation with that join code." in content
        assert 'value="wxyz-2345"' in content
        assert "<title>Error: Join an organisation" in content
        assert not Membership.objects.filter(user=user).exists()

    def test_expired_code(self, as_user, organisation, user):
        with time_machine.travel(organisation.join_code_expires_at + timedelta(hours=1)):
            client = as_user(user)  # in the future, so the session has not expired
            response = client.post(
                reverse("imh_organisations:join"), {"code": organisation.join_code}
            )
        assert response.status_code == 200
        assert f"The join code for {organisation.name} has expired." in response.content.decode()
        assert not Membership.objects.filter(user=user).exists()

    def test_already_a_member(self, as_user, organisation, staff):
        response = as_user(staff).post(
            reverse("imh_organisations:join"), {"code": organisation.join_code}
        )
        assert f"You are already a member of {organisation.name}." in response.content.decode()
        assert Membership.objects.filter(user=staff).count() == 1

    def test_empty_code(self, as_user, user):
        response = as_user(user).post(reverse("imh_organisations:join"), {"code": ""})
        assert "Enter the join code your organisation gave you." in response.content.decode()

    def test_code_from_a_link_fills_the_field(self, as_user, user):
        response = as_user(user).get(reverse("imh_organisations:join") + "?code=ABCD-2345")
        assert 'value="ABCD-2345"' in response.content.decode()


class TestLeave:
    def test_confirm_then_leave(self, as_user, staff_membership):
        client = as_user(staff_membership.user)
        url = reverse("imh_organisations:leave", args=[staff_membership.pk])
        page = client.get(url)
        assert page.status_code == 200
        assert f"Leave {staff_membership.organisation.name}?" in page.content.decode()
        response = client.post(url)
        assert response.status_code == 302
        staff_membership.refresh_from_db()
        assert staff_membership.status == "left"
        assert messages_of(response) == [f"You have left {staff_membership.organisation.name}."]

    def test_last_manager_sees_why(self, as_user, organisation, manager):
        membership = Membership.objects.get(user=manager)
        response = as_user(manager).post(reverse("imh_organisations:leave", args=[membership.pk]))
        assert response.status_code == 200
        assert "You are the only manager of" in response.content.decode()
        membership.refresh_from_db()
        assert membership.status == "active"

    def test_someone_elses_membership_is_404(self, as_user, staff_membership, user):
        client = as_user(user)
        url = reverse("imh_organisations:leave", args=[staff_membership.pk])
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
        staff_membership.refresh_from_db()
        assert staff_membership.status == "active"


class TestInvitationAccept:
    def test_anonymous_sees_the_organisation_and_is_asked_to_log_in(self, client, organisation):
        invitation = InvitationFactory(organisation=organisation, email="jo@example.org")
        url = reverse("imh_organisations:invitation_accept", args=[invitation.token])
        response = client.get(url)
        assert response.status_code == 200
        content = response.content.decode()
        assert f"Join {organisation.name}" in content
        assert f"{reverse('account_login')}?next={url}" in content
        response = client.post(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_right_user_accepts(self, as_user, organisation):
        invitee = UserFactory(email="jo@example.org")
        invitation = InvitationFactory(organisation=organisation, email="jo@example.org")
        client = as_user(invitee)
        url = reverse("imh_organisations:invitation_accept", args=[invitation.token])
        assert "Accept invitation" in client.get(url).content.decode()
        response = client.post(url)
        assert response.status_code == 302
        assert messages_of(response) == [f"You have joined {organisation.name}."]
        assert Membership.objects.get(user=invitee).status == "active"

    def test_different_user_is_refused(self, as_user, organisation, user):
        invitation = InvitationFactory(organisation=organisation, email="jo@example.org")
        client = as_user(user)
        url = reverse("imh_organisations:invitation_accept", args=[invitation.token])
        page = client.get(url).content.decode()
        assert "This invitation was sent to jo@example.org, but you are logged in as" in page
        assert "Accept invitation" not in page
        response = client.post(url)
        assert response.status_code == 200
        assert "This invitation was sent to jo@example.org." in response.content.decode()
        assert not Membership.objects.filter(user=user).exists()
        invitation.refresh_from_db()
        assert invitation.is_open

    @pytest.mark.parametrize(
        ("state", "heading"),
        [
            ("expired", "This invitation has expired"),
            ("revoked", "This invitation has been withdrawn"),
            ("accepted", "This invitation has already been used"),
        ],
    )
    def test_unusable_invitations_have_a_clear_page(self, as_user, organisation, state, heading):
        invitee = UserFactory(email="jo@example.org")
        now = timezone.now()
        fields = {
            "expired": {"expires_at": now - timedelta(days=1)},
            "revoked": {"revoked_at": now},
            "accepted": {"accepted_at": now},
        }[state]
        invitation = InvitationFactory(organisation=organisation, email=invitee.email, **fields)
        client = as_user(invitee)
        url = reverse("imh_organisations:invitation_accept", args=[invitation.token])
        response = client.get(url)
        assert response.status_code == 410
        assert heading in response.content.decode()
        assert client.post(url).status_code == 410
        assert not Membership.objects.filter(user=invitee).exists()

    def test_expired_after_time_passes(self, as_user, organisation):
        invitee = UserFactory(email="jo@example.org")
        invitation = InvitationFactory(organisation=organisation, email=invitee.email)
        with time_machine.travel(timezone.now() + timedelta(days=14, minutes=1)):
            client = as_user(invitee)
            response = client.post(
                reverse("imh_organisations:invitation_accept", args=[invitation.token])
            )
        assert response.status_code == 410
        assert not Membership.objects.filter(user=invitee).exists()

    def test_unknown_token(self, client):
        response = client.get(reverse("imh_organisations:invitation_accept", args=["not-a-token"]))
        assert response.status_code == 404
        assert "This invitation link is not valid" in response.content.decode()


class TestManagerPages:
    def test_members_page(self, as_user, organisation, manager, staff):
        pending = MembershipFactory(organisation=organisation, status="pending")
        invitation = InvitationFactory(organisation=organisation)
        MembershipFactory(organisation=organisation, status="left", user__email="gone@example.org")
        response = as_user(manager).get(reverse("imh_organisations:manage", args=[organisation.pk]))
        assert response.status_code == 200
        content = response.content.decode()
        assert staff.email in content
        assert pending.user.email in content
        assert invitation.email in content
        assert "gone@example.org" not in content
        assert (
            reverse("imh_organisations:membership_decline", args=[organisation.pk, pending.pk])
            in content
        )
        assert (
            reverse("imh_organisations:invitation_revoke", args=[organisation.pk, invitation.pk])
            in content
        )
        assert (
            reverse(
                "imh_organisations:membership_remove",
                args=[organisation.pk, staff_membership_pk(staff)],
            )
            in content
        )

    def test_decline(self, as_user, organisation, manager):
        pending = MembershipFactory(organisation=organisation, status="pending")
        response = as_user(manager).post(
            reverse("imh_organisations:membership_decline", args=[organisation.pk, pending.pk])
        )
        assert response.status_code == 302
        pending.refresh_from_db()
        assert pending.status == "declined"
        assert "declined" in messages_of(response)[0]

    def test_approving_twice_shows_an_error_message(self, as_user, organisation, manager):
        active = MembershipFactory(organisation=organisation)
        response = as_user(manager).post(
            reverse("imh_organisations:membership_approve", args=[organisation.pk, active.pk])
        )
        assert response.status_code == 302
        assert "has already been dealt with" in messages_of(response)[0]

    def test_invite(self, as_user, organisation, manager, send_on_commit):
        client = as_user(manager)
        url = reverse("imh_organisations:invite", args=[organisation.pk])
        assert client.get(url).status_code == 200
        with send_on_commit():
            response = client.post(url, {"email": "new.person@example.org", "role": "staff"})
        assert response.status_code == 302
        invitation = Invitation.objects.get(organisation=organisation)
        assert mail.outbox[-1].to == ["new.person@example.org"]
        assert invitation.token in mail.outbox[-1].body
        assert messages_of(response) == ["We have sent an invitation to new.person@example.org."]

    def test_inviting_a_member_shows_the_error_on_the_field(
        self, as_user, organisation, manager, staff
    ):
        response = as_user(manager).post(
            reverse("imh_organisations:invite", args=[organisation.pk]),
            {"email": staff.email, "role": "staff"},
        )
        assert response.status_code == 200
        content = response.content.decode()
        assert f"{staff.email} is already a member of {organisation.name}." in content
        assert 'href="#id_email"' in content
        assert not Invitation.objects.exists()

    def test_revoke_invitation(self, as_user, organisation, manager):
        invitation = InvitationFactory(organisation=organisation)
        response = as_user(manager).post(
            reverse("imh_organisations:invitation_revoke", args=[organisation.pk, invitation.pk])
        )
        assert response.status_code == 302
        invitation.refresh_from_db()
        assert invitation.state == "revoked"

    def test_join_code_page_and_regenerate(self, as_user, organisation, manager):
        client = as_user(manager)
        page = client.get(reverse("imh_organisations:join_code", args=[organisation.pk]))
        assert organisation.join_code_display in page.content.decode()
        response = client.post(
            reverse("imh_organisations:join_code_regenerate", args=[organisation.pk])
        )
        assert response.status_code == 302
        old = organisation.join_code
        organisation.refresh_from_db()
        assert organisation.join_code != old
        assert "new join code" in messages_of(response)[0]

    def test_change_role(self, as_user, organisation, manager, staff_membership):
        client = as_user(manager)
        url = reverse(
            "imh_organisations:membership_role", args=[organisation.pk, staff_membership.pk]
        )
        assert client.get(url).status_code == 200
        response = client.post(url, {"role": "manager"})
        assert response.status_code == 302
        assert messages_of(response)[0].endswith(" is now a manager.")
        staff_membership.refresh_from_db()
        assert staff_membership.role == "manager"

    def test_last_manager_cannot_demote_themself(self, as_user, organisation, manager):
        mine = Membership.objects.get(user=manager)
        response = as_user(manager).post(
            reverse("imh_organisations:membership_role", args=[organisation.pk, mine.pk]),
            {"role": "staff"},
        )
        assert response.status_code == 200
        assert "must have at least one manager" in response.content.decode()
        mine.refresh_from_db()
        assert mine.role == "manager"

    def test_remove_member(self, as_user, organisation, manager, staff_membership):
        client = as_user(manager)
        url = reverse(
            "imh_organisations:membership_remove", args=[organisation.pk, staff_membership.pk]
        )
        assert "Remove" in client.get(url).content.decode()
        response = client.post(url)
        assert response.status_code == 302
        staff_membership.refresh_from_db()
        assert staff_membership.status == "left"

    def test_post_only_actions_refuse_get(self, as_user, organisation, manager, staff_membership):
        response = as_user(manager).get(
            reverse(
                "imh_organisations:membership_approve", args=[organisation.pk, staff_membership.pk]
            )
        )
        assert response.status_code == 405


def staff_membership_pk(user) -> int:
    return Membership.objects.get(user=user, status="active").pk


class TestOtherOrganisations:
    """A manager of A reaches nothing of B's, whether by B's page ids or B's object ids."""

    @pytest.fixture
    def theirs(self, other_organisation, other_manager):
        return {
            "member": MembershipFactory(organisation=other_organisation),
            "pending": MembershipFactory(organisation=other_organisation, status="pending"),
            "invitation": InvitationFactory(organisation=other_organisation),
        }

    def test_other_organisations_pages_are_404(self, as_user, manager, other_organisation, theirs):
        client = as_user(manager)
        pk = other_organisation.pk
        code = other_organisation.join_code
        for name in ("manage", "invite", "join_code"):
            assert client.get(reverse(f"imh_organisations:{name}", args=[pk])).status_code == 404
        assert (
            client.post(reverse("imh_organisations:join_code_regenerate", args=[pk])).status_code
            == 404
        )
        response = client.post(
            reverse("imh_organisations:invite", args=[pk]),
            {"email": "x@example.org", "role": "staff"},
        )
        assert response.status_code == 404
        other_organisation.refresh_from_db()
        assert other_organisation.join_code == code
        assert not Invitation.objects.filter(email="x@example.org").exists()

    @pytest.mark.parametrize("via", ["their_page", "my_page"])
    def test_other_organisations_members_and_invitations_are_404(
        self, as_user, organisation, manager, other_organisation, theirs, via
    ):
        client = as_user(manager)
        pk = other_organisation.pk if via == "their_page" else organisation.pk
        member, pending, invitation = theirs["member"], theirs["pending"], theirs["invitation"]
        requests = [
            ("membership_approve", pending.pk, {}),
            ("membership_decline", pending.pk, {}),
            ("membership_role", member.pk, {"role": "manager"}),
            ("membership_remove", member.pk, {}),
            ("invitation_revoke", invitation.pk, {}),
        ]
        for name, object_pk, data in requests:
            url = reverse(f"imh_organisations:{name}", args=[pk, object_pk])
            assert client.post(url, data).status_code == 404, name
            if name in ("membership_role", "membership_remove"):
                assert client.get(url).status_code == 404, name
        for obj in (member, pending, invitation):
            obj.refresh_from_db()
        assert (member.status, member.role) == ("active", "staff")
        assert pending.status == "pending"
        assert invitation.is_open

    def test_staff_get_404_on_manage_pages(self, as_user, organisation, staff, staff_membership):
        client = as_user(staff)
        pending = MembershipFactory(organisation=organisation, status="pending")
        for name in ("manage", "invite", "join_code"):
            assert (
                client.get(reverse(f"imh_organisations:{name}", args=[organisation.pk])).status_code
                == 404
            )
        url = reverse("imh_organisations:membership_approve", args=[organisation.pk, pending.pk])
        assert client.post(url).status_code == 404
        pending.refresh_from_db()
        assert pending.status == "pending"

    def test_former_manager_gets_404(self, as_user, organisation):
        former = ManagerMembershipFactory(organisation=organisation, status="left").user
        ManagerMembershipFactory(organisation=organisation)
        response = as_user(former).get(reverse("imh_organisations:manage", args=[organisation.pk]))
        assert response.status_code == 404


class TestCsrf:
    def test_post_without_token_is_rejected(self, organisation, manager):
        client = Client(enforce_csrf_checks=True)
        client.force_login(manager)
        pending = MembershipFactory(organisation=organisation, status="pending")
        response = client.post(
            reverse("imh_organisations:membership_approve", args=[organisation.pk, pending.pk])
        )
        assert response.status_code == 403
        pending.refresh_from_db()
        assert pending.status == "pending"

    def test_join_without_token_is_rejected(self, organisation, user):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        response = client.post(reverse("imh_organisations:join"), {"code": organisation.join_code})
        assert response.status_code == 403
        assert not Membership.objects.filter(user=user).exists()

    def test_forms_carry_a_token(self, organisation, manager):
        client = Client(enforce_csrf_checks=True)
        client.force_login(manager)
        MembershipFactory(organisation=organisation, status="pending")
        content = client.get(
            reverse("imh_organisations:manage", args=[organisation.pk])
        ).content.decode()
        assert content.count('name="csrfmiddlewaretoken"') >= 2


class TestQueryCounts:
    def _count(self, client, url) -> int:
        client.get(url)  # the first request of a test also creates the site settings row
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def test_members_page_does_not_grow_with_members(self, as_user, organisation, manager):
        client = as_user(manager)
        url = reverse("imh_organisations:manage", args=[organisation.pk])

        def add(count):
            MembershipFactory.create_batch(count, organisation=organisation)
            MembershipFactory.create_batch(count, organisation=organisation, status="pending")
            for _ in range(count):
                InvitationFactory(organisation=organisation, invited_by=manager)

        add(3)
        few = self._count(client, url)
        add(27)
        many = self._count(client, url)
        assert Membership.objects.filter(organisation=organisation, status="active").count() == 31
        assert many == few
        assert few <= 11

    def test_members_page_bound(
        self, as_user, organisation, manager, django_assert_max_num_queries
    ):
        client = as_user(manager)
        MembershipFactory.create_batch(30, organisation=organisation)
        url = reverse("imh_organisations:manage", args=[organisation.pk])
        client.get(url)
        # Session, user, site chrome (site, settings, permissions) and this page's five reads
        # (organisation, members, requests, invitations, live-session bookings to approve).
        with django_assert_max_num_queries(11):
            client.get(url)

    def test_mine_page_does_not_grow(self, as_user, user):
        client = as_user(user)
        MembershipFactory.create_batch(3, user=user)
        few = self._count(client, reverse("imh_organisations:mine"))
        MembershipFactory.create_batch(27, user=user)
        assert self._count(client, reverse("imh_organisations:mine")) == few


def test_organisation_model_in_use():
    assert Organisation._meta.app_label == "imh_organisations"


@pytest.mark.django_db
def test_join_code_guessing_is_rate_limited(client):
    client.force_login(UserFactory())
    for _ in range(JOIN_ATTEMPTS_PER_WINDOW):
        response = client.post("/organisations/join/", {"code": "ZZZZ-ZZZZ"})
        assert response.status_code == 200
    response = client.post("/organisations/join/", {"code": "ZZZZ-ZZZZ"})
    assert response.status_code == 429
    assert "tried too many join codes" in response.content.decode()
    assert not Membership.objects.exists()
