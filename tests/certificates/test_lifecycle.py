"""Revocation, reissue, expiry and PDF retries: who may, what changes, and the audit trail."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError

from imh_accounts.models import Profile
from imh_accounts.privacy import erasers, exporters
from imh_certificates import policies, services
from imh_certificates.models import Certificate, CertificateEvent
from imh_certificates.selectors import (
    certificate_by_code,
    certificate_data_export,
    certificates_for,
    certificates_for_users,
)
from imh_certificates.services import (
    certificate_pdf_retry,
    certificate_reissue,
    certificate_revoke,
)
from imh_core.hooks import IMH_CERTIFICATE_MANAGER_POLICIES
from tests.certificates.factories import CertificateFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def staff_with(*codenames: str):
    user = UserFactory(first_name="Robin", last_name="Registrar", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="imh_certificates", codename__in=codenames
        )
    )
    return type(user).objects.get(pk=user.pk)  # fresh permission cache


@pytest.fixture
def admin_user():
    return staff_with("change_certificate", "view_certificate")


@pytest.fixture
def holder():
    user = UserFactory(first_name="Sam", last_name="Account")
    Profile.objects.create(user=user, full_name="Samira Okafor")
    return user


@pytest.fixture
def certificate(holder):
    return CertificateFactory(holder=holder, holder_name="Samira Okafor")


@pytest.fixture
def enqueued(monkeypatch):
    queued: list[int] = []
    monkeypatch.setattr(services, "_pdf_render_enqueue", queued.append)
    return queued


def actions(certificate) -> list[str]:
    return list(certificate.events.values_list("action", flat=True))


class TestRevoke:
    def test_revoking_records_the_reason_and_who(self, certificate, admin_user):
        revoked = certificate_revoke(
            certificate=certificate, reason="  Issued to the wrong person.  ", actor=admin_user
        )

        certificate.refresh_from_db()
        assert revoked.pk == certificate.pk
        assert certificate.status == "revoked"
        assert certificate.effective_status() == "revoked"
        assert certificate.revoked_reason == "Issued to the wrong person."
        assert certificate.revoked_at is not None
        event = certificate.events.get(action="revoked")
        assert event.detail == "Issued to the wrong person."
        assert event.actor == admin_user

    @pytest.mark.parametrize("reason", ["", "   ", None])
    def test_a_reason_is_required_and_nothing_changes_without_one(
        self, certificate, admin_user, reason
    ):
        with pytest.raises(ValidationError) as raised:
            certificate_revoke(certificate=certificate, reason=reason, actor=admin_user)

        assert raised.value.message_dict == {
            "reason": ["Enter the reason for revoking the certificate"]
        }
        certificate.refresh_from_db()
        assert certificate.status == "valid"
        assert actions(certificate) == ["issued"]

    def test_an_overlong_reason_is_refused(self, certificate, admin_user):
        with pytest.raises(ValidationError, match="1,000 characters or fewer"):
            certificate_revoke(certificate=certificate, reason="x" * 1001, actor=admin_user)
        certificate.refresh_from_db()
        assert certificate.status == "valid"

    def test_a_revoked_certificate_stays_revoked(self, certificate, admin_user, enqueued):
        certificate_revoke(certificate=certificate, reason="Plagiarised work", actor=admin_user)

        with pytest.raises(ValidationError, match="already been revoked"):
            certificate_revoke(certificate=certificate, reason="Another", actor=admin_user)
        with pytest.raises(ValidationError, match="revoked, so it cannot be reissued"):
            certificate_reissue(certificate=certificate, actor=admin_user)

        certificate.refresh_from_db()
        assert certificate.status == "revoked"
        assert certificate.revoked_reason == "Plagiarised work"
        assert Certificate.objects.count() == 1
        assert enqueued == []

    def test_an_expired_certificate_can_be_revoked(self, holder, admin_user):
        expired = CertificateFactory(holder=holder, expires_on=datetime.date(2020, 1, 1))
        assert expired.effective_status() == "expired"
        certificate_revoke(certificate=expired, reason="Error", actor=admin_user)
        assert expired.effective_status() == "revoked"

    @pytest.mark.parametrize("codenames", [(), ("view_certificate",)])
    def test_people_without_the_change_permission_may_not_revoke(self, certificate, codenames):
        with pytest.raises(PermissionDenied):
            certificate_revoke(
                certificate=certificate, reason="Because", actor=staff_with(*codenames)
            )
        certificate.refresh_from_db()
        assert certificate.status == "valid"

    def test_the_holder_may_not_revoke_their_own(self, certificate, holder):
        with pytest.raises(PermissionDenied):
            certificate_revoke(certificate=certificate, reason="Because", actor=holder)

    def test_an_inactive_account_may_not_revoke(self, certificate, admin_user):
        admin_user.is_active = False
        admin_user.save()
        with pytest.raises(PermissionDenied):
            certificate_revoke(certificate=certificate, reason="Because", actor=admin_user)


class TestReissue:
    def test_reissue_links_old_to_new_with_the_current_name(
        self, certificate, holder, admin_user, enqueued
    ):
        Profile.objects.filter(user=holder).update(full_name="Samira Okafor-Jones")

        new = certificate_reissue(
            certificate=certificate, actor=admin_user, reason="Name changed on marriage"
        )

        certificate.refresh_from_db()
        new.refresh_from_db()
        assert certificate.status == "superseded"
        assert certificate.effective_status() == "superseded"
        assert certificate.superseded_by == new
        assert certificate.holder_name == "Samira Okafor"
        assert new.status == "valid"
        assert new.code != certificate.code
        assert new.holder_name == "Samira Okafor-Jones"
        for field in (
            "holder_id",
            "kind",
            "source_type",
            "source_id",
            "title",
            "cpd_hours",
            "completed_on",
            "expires_on",
            "competencies",
            "sessions",
            "issuer_name",
            "signatory_name",
            "signatory_role",
            "template_id",
        ):
            assert getattr(new, field) == getattr(certificate, field), field
        assert new.issued_at > certificate.issued_at
        assert new.pdf_status == "pending"
        assert enqueued == [new.pk]

        old_event = certificate.events.get(action="reissued")
        assert old_event.actor == admin_user
        assert old_event.detail == f"Replaced by {new.code}. Reason: Name changed on marriage"
        new_event = new.events.get(action="issued")
        assert (
            new_event.detail == f"Reissue of {certificate.code}. Reason: Name changed on marriage"
        )

    def test_the_old_code_still_verifies_as_superseded(self, certificate, admin_user, enqueued):
        new = certificate_reissue(certificate=certificate, actor=admin_user)

        found = certificate_by_code(code=certificate.code.lower().replace("-", " "))
        assert found.pk == certificate.pk
        assert found.effective_status() == "superseded"
        assert found.superseded_by.code == new.code

    def test_reissuing_twice_is_refused_and_points_at_the_new_one(
        self, certificate, admin_user, enqueued
    ):
        new = certificate_reissue(certificate=certificate, actor=admin_user)
        with pytest.raises(ValidationError, match=new.code):
            certificate_reissue(certificate=certificate, actor=admin_user)
        with pytest.raises(ValidationError, match="replaced by a reissue"):
            certificate_revoke(certificate=certificate, reason="Error", actor=admin_user)
        assert Certificate.objects.count() == 2

    def test_a_reissue_can_itself_be_reissued(self, certificate, admin_user, enqueued):
        second = certificate_reissue(certificate=certificate, actor=admin_user)
        third = certificate_reissue(certificate=second, actor=admin_user)

        second.refresh_from_db()
        assert second.superseded_by == third
        assert Certificate.objects.exclude(status="superseded").get() == third
        assert certificate_by_code(code=certificate.code).superseded_by == second

    def test_people_without_the_change_permission_may_not_reissue(
        self, certificate, holder, enqueued
    ):
        for actor in (holder, staff_with("view_certificate")):
            with pytest.raises(PermissionDenied):
                certificate_reissue(certificate=certificate, actor=actor)
        certificate.refresh_from_db()
        assert certificate.status == "valid"
        assert Certificate.objects.count() == 1
        assert enqueued == []

    def test_superusers_may(self, certificate, enqueued):
        root = UserFactory(is_superuser=True, is_staff=True)
        assert certificate_reissue(certificate=certificate, actor=root).status == "valid"


class TestExpiry:
    def test_expiry_is_computed_from_the_date(self):
        certificate = CertificateFactory(expires_on=datetime.date(2027, 3, 31))
        assert certificate.effective_status(today=datetime.date(2027, 3, 31)) == "valid"
        assert certificate.effective_status(today=datetime.date(2027, 4, 1)) == "expired"
        assert certificate.status == "valid"

    def test_no_expiry_never_expires(self):
        certificate = CertificateFactory(expires_on=None)
        assert certificate.effective_status(today=datetime.date(2100, 1, 1)) == "valid"


class TestPdfRetry:
    def test_retry_queues_the_render_again_with_fresh_attempts(
        self, certificate, admin_user, enqueued
    ):
        Certificate.objects.filter(pk=certificate.pk).update(
            pdf_status="gave_up", pdf_attempts=5, pdf_error="Font missing"
        )
        certificate_pdf_retry(certificate=certificate, actor=admin_user)

        certificate.refresh_from_db()
        assert certificate.pdf_status == "pending"
        assert certificate.pdf_attempts == 0
        assert certificate.pdf_error == ""
        assert enqueued == [certificate.pk]

    def test_retry_needs_the_change_permission(self, certificate, holder, enqueued):
        with pytest.raises(PermissionDenied):
            certificate_pdf_retry(certificate=certificate, actor=holder)
        assert enqueued == []


class TestSelectors:
    def test_certificates_for_a_person(self, holder, admin_user, enqueued):
        old = CertificateFactory(holder=holder)
        new = certificate_reissue(certificate=old, actor=admin_user)
        revoked = CertificateFactory(holder=holder, status="revoked", revoked_reason="Error")
        CertificateFactory()  # someone else's

        assert set(certificates_for(user=holder)) == {new, revoked}
        assert set(certificates_for(user=holder, include_superseded=True)) == {old, new, revoked}

    def test_certificates_for_users(self, holder, enqueued):
        mine = CertificateFactory(holder=holder)
        other = CertificateFactory()
        CertificateFactory()
        assert set(certificates_for_users(user_ids=[holder.pk, other.holder_id])) == {mine, other}

    @pytest.mark.parametrize("code", ["", "nonsense", "A" * 500, None, "3333-3333-3333-3333-3333"])
    def test_unknown_and_malformed_codes_find_nothing(self, certificate, code):
        assert certificate_by_code(code=code) is None

    def test_lookup_by_code_is_one_query(self, certificate, django_assert_num_queries):
        with django_assert_num_queries(1):
            found = certificate_by_code(code=f"  {certificate.code.lower()} ")
            assert found.superseded_by is None
        assert found == certificate

    def test_malformed_codes_cost_no_query(self, django_assert_num_queries):
        with django_assert_num_queries(0):
            assert certificate_by_code(code="not-a-code") is None


class TestManagerPolicy:
    def test_fails_closed_without_a_policy(self, holder, only_hooks):
        only_hooks(IMH_CERTIFICATE_MANAGER_POLICIES)
        assert policies.user_manages_holder(user=UserFactory(), holder=holder) is False

    def test_asks_every_policy(self, holder, only_hooks):
        manager, stranger = UserFactory(), UserFactory()
        only_hooks(
            IMH_CERTIFICATE_MANAGER_POLICIES,
            lambda user, who: False,
            lambda user, who: user.pk == manager.pk and who.pk == holder.pk,
        )
        assert policies.user_manages_holder(user=manager, holder=holder) is True
        assert policies.user_manages_holder(user=stranger, holder=holder) is False

    def test_anonymous_and_inactive_people_manage_nobody(self, holder, only_hooks):
        from django.contrib.auth.models import AnonymousUser

        only_hooks(IMH_CERTIFICATE_MANAGER_POLICIES, lambda user, who: True)
        inactive = UserFactory(is_active=False)
        assert policies.user_manages_holder(user=AnonymousUser(), holder=holder) is False
        assert policies.user_manages_holder(user=inactive, holder=holder) is False
        assert policies.user_manages_holder(user=UserFactory(), holder=None) is False


class TestOrganisationManagers:
    def test_organisations_registers_its_managers(self, holder):
        from tests.organisations.factories import ManagerMembershipFactory, MembershipFactory

        membership = MembershipFactory(user=holder)
        manager = ManagerMembershipFactory(organisation=membership.organisation).user

        assert policies.user_manages_holder(user=manager, holder=holder) is True
        assert policies.user_manages_holder(user=holder, holder=manager) is False
        assert policies.user_manages_holder(user=UserFactory(), holder=holder) is False


class TestPrivacy:
    def test_export_lists_every_certificate(self, certificate, holder, admin_user, enqueued):
        new = certificate_reissue(certificate=certificate, actor=admin_user)
        exported = exporters()["certificates"](holder)

        assert exported == certificate_data_export(holder)
        assert [item["code"] for item in exported] == [new.code, certificate.code]
        assert exported[1]["status"] == "superseded"
        assert exported[1]["superseded_by"] == new.code
        assert exported[0]["name_on_certificate"] == "Samira Okafor"

    def test_erasure_keeps_certificates_so_they_can_still_be_verified(self, certificate, holder):
        from imh_accounts.services import account_delete

        account_delete(user=holder, password="correct-horse-battery-staple")

        assert "certificates" in erasers()
        certificate.refresh_from_db()
        assert certificate.holder_name == "Samira Okafor"
        assert certificate.status == "valid"
        assert list(certificate.events.values_list("action", flat=True)) == [
            CertificateEvent.Action.ISSUED
        ]
