"""Managers approve or decline their staff's bookings for live sessions that need approval."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from imh_courses.models import Booking
from imh_courses.services import sessions as session_services
from imh_organisations import services
from tests.courses.factories import create_course
from tests.courses.test_sessions_services import enrol, make_session
from tests.organisations.factories import ManagerMembershipFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def send_on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def course(db):
    return create_course(modules=1, lessons_per_module=1)


@pytest.fixture
def session(course):
    return make_session(
        course, title="Video interaction guidance", capacity=1, requires_manager_approval=True
    )


@pytest.fixture
def booking(session, course, staff):
    enrol(staff, course)
    return session_services.booking_create(session=session, user=staff)


def approve_url(organisation, booking) -> str:
    return reverse("imh_organisations:session_booking_approve", args=[organisation.pk, booking.pk])


def decline_url(organisation, booking) -> str:
    return reverse("imh_organisations:session_booking_decline", args=[organisation.pk, booking.pk])


class TestManagersAreAsked:
    def test_booking_emails_the_trainees_managers_only(
        self, session, course, staff, manager, organisation, other_manager, send_on_commit
    ):
        enrol(staff, course)
        with send_on_commit():
            session_services.booking_create(session=session, user=staff)
        to_managers = [message for message in mail.outbox if message.to == [manager.email]]
        assert len(to_managers) == 1
        assert to_managers[0].subject == "Approve a booking: Video interaction guidance"
        assert staff.email in to_managers[0].body
        manage = reverse("imh_organisations:manage", args=[organisation.pk])
        assert f"http://testserver{manage}#session-bookings" in to_managers[0].body
        assert not [message for message in mail.outbox if message.to == [other_manager.email]]

    def test_a_promoted_booking_asks_again(
        self, session, course, staff, organisation, manager, send_on_commit
    ):
        first = MembershipFactory(organisation=organisation).user
        enrol(first, course)
        enrol(staff, course)
        taken = session_services.booking_create(session=session, user=first)
        session_services.booking_create(session=session, user=staff)
        mail.outbox.clear()
        with send_on_commit():
            session_services.booking_cancel(booking=taken, user=first)
        assert any(
            message.to == [manager.email] and staff.email in message.body for message in mail.outbox
        )


class TestApprovalsSection:
    def test_the_manager_sees_and_approves(
        self, client, booking, organisation, manager, staff, send_on_commit
    ):
        client.force_login(manager)
        page = client.get(reverse("imh_organisations:manage", args=[organisation.pk]))
        text = page.content.decode()
        assert "Bookings awaiting your approval" in text
        assert "Video interaction guidance" in text
        assert approve_url(organisation, booking) in text

        mail.outbox.clear()
        with send_on_commit():
            response = client.post(approve_url(organisation, booking))
        assert response.status_code == 302
        assert response["Location"].endswith("#session-bookings")
        assert messages_of(response)[0].startswith("You have approved")
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CONFIRMED
        assert booking.approval_decided_by == manager
        assert [message.to for message in mail.outbox] == [[staff.email]]

    def test_declining_gives_the_place_to_the_waiting_list(
        self, client, booking, session, course, organisation, manager
    ):
        waiting = MembershipFactory(organisation=organisation).user
        enrol(waiting, course)
        session_services.booking_create(session=session, user=waiting)
        client.force_login(manager)
        response = client.post(decline_url(organisation, booking))
        assert messages_of(response)[0].startswith("You have declined")
        booking.refresh_from_db()
        assert booking.status == Booking.Status.DECLINED
        assert Booking.objects.get(user=waiting).status == Booking.Status.AWAITING_APPROVAL

    def test_nothing_waiting(self, client, organisation, manager):
        client.force_login(manager)
        text = client.get(reverse("imh_organisations:manage", args=[organisation.pk])).content
        assert b"There are no bookings waiting for your approval." in text

    def test_a_decided_booking_is_no_longer_found(self, client, booking, organisation, manager):
        client.force_login(manager)
        client.post(approve_url(organisation, booking))
        # Once decided it is no longer waiting, so it is not found.
        assert client.post(decline_url(organisation, booking)).status_code == 404
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CONFIRMED


class TestNobodyReachesPastTheirOwn:
    def test_a_manager_of_another_organisation_gets_404(
        self, client, booking, organisation, other_organisation, other_manager
    ):
        client.force_login(other_manager)
        # Through their own organisation: the booking is not one of theirs.
        assert client.post(approve_url(other_organisation, booking)).status_code == 404
        # Through the trainee's organisation: they do not manage it.
        assert client.post(approve_url(organisation, booking)).status_code == 404
        assert client.post(decline_url(organisation, booking)).status_code == 404
        text = client.get(reverse("imh_organisations:manage", args=[other_organisation.pk])).content
        assert b"Video interaction guidance" not in text
        booking.refresh_from_db()
        assert booking.status == Booking.Status.AWAITING_APPROVAL

    def test_staff_cannot_approve_their_own(self, client, booking, organisation, staff):
        client.force_login(staff)
        assert client.post(approve_url(organisation, booking)).status_code == 404
        booking.refresh_from_db()
        assert booking.status == Booking.Status.AWAITING_APPROVAL

    def test_a_manager_does_not_approve_their_own_booking(
        self, client, session, course, organisation, manager
    ):
        enrol(manager, course)
        own = session_services.booking_create(session=session, user=manager)
        client.force_login(manager)
        text = client.get(reverse("imh_organisations:manage", args=[organisation.pk])).content
        assert approve_url(organisation, own).encode() not in text
        assert client.post(approve_url(organisation, own)).status_code == 404
        # Another manager of the organisation can.
        colleague = ManagerMembershipFactory(organisation=organisation).user
        client.force_login(colleague)
        assert client.post(approve_url(organisation, own)).status_code == 302
        own.refresh_from_db()
        assert own.status == Booking.Status.CONFIRMED

    def test_the_service_checks_the_manager(self, booking, other_manager):
        with pytest.raises(PermissionDenied):
            services.session_booking_approve(booking=booking, actor=other_manager)
        with pytest.raises(PermissionDenied):
            services.session_booking_decline(booking=booking, actor=other_manager)
        booking.refresh_from_db()
        assert booking.status == Booking.Status.AWAITING_APPROVAL
