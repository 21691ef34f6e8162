"""The certificates admin: look-up, audit trail, revoke, reissue and PDF retry; no hand edits."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import NoReverseMatch, reverse

from imh_accounts.models import Profile
from imh_certificates import services
from imh_certificates.models import Certificate
from tests.certificates.factories import CertificateFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def admin_user_with(*codenames: str):
    user = UserFactory(first_name="Robin", last_name="Registrar")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="imh_certificates", codename__in=codenames
        ),
    )
    return user


@pytest.fixture
def registrar():
    return admin_user_with("view_certificate", "change_certificate")


@pytest.fixture
def viewer():
    return admin_user_with("view_certificate")


@pytest.fixture
def holder():
    user = UserFactory()
    Profile.objects.create(user=user, full_name="Samira Okafor")
    return user


@pytest.fixture
def certificate(holder):
    return CertificateFactory(
        holder=holder, holder_name="Samira Okafor", title="Attachment in the first year"
    )


@pytest.fixture
def enqueued(monkeypatch):
    queued: list[int] = []
    monkeypatch.setattr(services, "_pdf_render_enqueue", queued.append)
    return queued


def url(name: str, *args) -> str:
    return reverse(f"certificates_admin:{name}", args=args)


def text(response) -> str:
    return response.content.decode()


class TestAccess:
    def test_people_without_permission_are_kept_out(self, client, certificate):
        client.force_login(admin_user_with())
        for address in (
            url("index"),
            url("inspect", certificate.pk),
            url("revoke", certificate.pk),
            url("reissue", certificate.pk),
            url("retry_pdf", certificate.pk),
        ):
            response = client.get(address)
            assert response.status_code in (302, 403), address
        assert "Certificates" not in text(client.get(reverse("wagtailadmin_home")))

    def test_viewers_see_the_menu_list_and_inspect_but_no_actions(
        self, client, viewer, certificate
    ):
        client.force_login(viewer)
        assert "Certificates" in text(client.get(reverse("wagtailadmin_home")))
        listing = text(client.get(url("index")))
        assert certificate.code in listing
        assert url("revoke", certificate.pk) not in listing
        page = client.get(url("inspect", certificate.pk))
        assert page.status_code == 200
        assert url("reissue", certificate.pk) not in text(page)

        response = client.post(url("revoke", certificate.pk), {"reason": "Because"})
        assert response.status_code in (302, 403)
        certificate.refresh_from_db()
        assert certificate.status == "valid"

    def test_no_adding_editing_or_deleting_by_hand(self, client, certificate):
        client.force_login(UserFactory(is_superuser=True, is_staff=True))
        for name, args in (("add", ()), ("edit", (certificate.pk,)), ("delete", (certificate.pk,))):
            with pytest.raises(NoReverseMatch):
                url(name, *args)
        listing = text(client.get(url("index")))
        assert "Add certificate" not in listing
        assert f"/certificates/edit/{certificate.pk}/" not in listing

    def test_only_view_and_change_are_offered_to_groups(self, client):
        client.force_login(UserFactory(is_superuser=True, is_staff=True))
        group = Group.objects.create(name="Registry")
        page = text(client.get(reverse("wagtailusers_groups:edit", args=[group.pk])))
        certificate_permissions = Permission.objects.filter(
            content_type__app_label="imh_certificates"
        )
        offered = {p.codename for p in certificate_permissions if f'value="{p.pk}"' in page} & {
            "add_certificate",
            "change_certificate",
            "delete_certificate",
            "view_certificate",
        }
        assert offered == {"change_certificate", "view_certificate"}


class TestListing:
    def test_columns_and_statuses(self, client, registrar, holder):
        valid = CertificateFactory(holder=holder, holder_name="Samira Okafor")
        expired = CertificateFactory(
            title="Old course", expires_on=datetime.date(2020, 5, 1), pdf_status="gave_up"
        )
        client.force_login(registrar)

        page = text(client.get(url("index")))

        assert valid.code in page
        assert "Samira Okafor" in page
        assert "Old course" in page
        assert "1 May 2020" in page
        assert "Expired" in page
        assert "Failed" in page
        assert url("retry_pdf", expired.pk) in page
        assert url("revoke", valid.pk) in page

    def test_filter_on_pdf_status_shows_failed_renders(self, client, registrar):
        failed = CertificateFactory(pdf_status="failed", title="Failed one")
        gave_up = CertificateFactory(pdf_status="gave_up", title="Given up one")
        ready = CertificateFactory(pdf_status="ready", title="Ready one")
        client.force_login(registrar)

        page = text(client.get(url("index"), {"pdf_status": "gave_up"}))

        assert gave_up.code in page
        assert failed.code not in page
        assert ready.code not in page

    @pytest.mark.parametrize(
        ("status", "expected"),
        [("valid", "valid"), ("expired", "expired"), ("revoked", "revoked")],
    )
    def test_filter_on_status(self, client, registrar, status, expected):
        made = {
            "valid": CertificateFactory(),
            "expired": CertificateFactory(expires_on=datetime.date(2020, 1, 1)),
            "revoked": CertificateFactory(status="revoked", revoked_reason="Error"),
        }
        client.force_login(registrar)
        page = text(client.get(url("index"), {"effective_status": status}))
        for name, certificate in made.items():
            assert (certificate.code in page) is (name == expected), name

    def test_search_by_code_however_typed_by_holder_and_by_title(self, client, registrar):
        mine = CertificateFactory(holder_name="Samira Okafor", title="Attachment basics")
        other = CertificateFactory(holder_name="Jordan Achebe", title="Play and repair")
        client.force_login(registrar)

        typed = mine.code.lower().replace("-", " ")
        for query, expected in ((typed, mine), ("okafor", mine), ("repair", other)):
            page = text(client.get(url("index"), {"q": query}))
            assert expected.code in page, query
            unexpected = other if expected is mine else mine
            assert unexpected.code not in page, query

    def test_listing_queries_do_not_grow_with_rows(
        self, client, registrar, django_assert_max_num_queries
    ):
        for _ in range(3):
            CertificateFactory()
        client.force_login(registrar)
        client.get(url("index"))
        with django_assert_max_num_queries(20) as few:
            client.get(url("index"))
        for _ in range(10):
            CertificateFactory()
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get(url("index")).status_code == 200


class TestInspect:
    def test_shows_the_record_and_its_audit_trail(self, client, registrar, certificate, enqueued):
        services.certificate_revoke(
            certificate=certificate, reason="Issued to the wrong person", actor=registrar
        )
        client.force_login(registrar)

        page = text(client.get(url("inspect", certificate.pk)))

        assert certificate.code in page
        assert "Samira Okafor" in page
        assert "Attachment in the first year" in page
        assert "Revoked" in page
        assert "Audit trail" in page
        assert "Issued to the wrong person" in page
        assert "Robin Registrar" in page
        assert reverse("imh_certificates:verify_code", args=[certificate.code]) in page
        # Revoked: no further actions offered.
        assert url("revoke", certificate.pk) not in page
        assert url("reissue", certificate.pk) not in page

    def test_hostile_text_is_escaped(self, client, registrar, holder):
        hostile = CertificateFactory(holder=holder, holder_name='<script>alert("x")</script>')
        client.force_login(registrar)
        page = text(client.get(url("inspect", hostile.pk)))
        assert '<script>alert("x")</script>' not in page
        assert "&lt;script&gt;" in page


class TestRevoke:
    def test_the_form_asks_for_a_reason(self, client, registrar, certificate):
        client.force_login(registrar)
        page = text(client.get(url("revoke", certificate.pk)))
        assert "Reason for revoking" in page
        assert certificate.code in page

    def test_revoking_without_a_reason_changes_nothing(self, client, registrar, certificate):
        client.force_login(registrar)
        response = client.post(url("revoke", certificate.pk), {"reason": "   "})

        assert response.status_code == 200
        assert "Enter the reason for revoking the certificate" in text(response)
        certificate.refresh_from_db()
        assert certificate.status == "valid"
        assert certificate.events.count() == 1

    def test_revoking_with_a_reason(self, client, registrar, certificate):
        client.force_login(registrar)
        response = client.post(
            url("revoke", certificate.pk), {"reason": "Completed by someone else"}
        )

        assert response.status_code == 302
        assert response.url == url("inspect", certificate.pk)
        certificate.refresh_from_db()
        assert certificate.status == "revoked"
        assert certificate.revoked_reason == "Completed by someone else"
        assert certificate.events.get(action="revoked").actor == registrar

    def test_revoking_twice_is_explained_not_repeated(self, client, registrar, certificate):
        services.certificate_revoke(certificate=certificate, reason="First", actor=registrar)
        client.force_login(registrar)
        response = client.post(url("revoke", certificate.pk), {"reason": "Second"}, follow=True)
        assert "already been revoked" in text(response)
        certificate.refresh_from_db()
        assert certificate.revoked_reason == "First"


class TestReissue:
    def test_the_page_shows_the_name_the_new_certificate_will_carry(
        self, client, registrar, certificate, holder
    ):
        Profile.objects.filter(user=holder).update(full_name="Samira Okafor-Jones")
        client.force_login(registrar)
        page = text(client.get(url("reissue", certificate.pk)))
        assert "Samira Okafor-Jones" in page
        assert "this certificate says Samira Okafor" in page

    def test_reissuing(self, client, registrar, certificate, holder, enqueued):
        Profile.objects.filter(user=holder).update(full_name="Samira Okafor-Jones")
        client.force_login(registrar)

        response = client.post(url("reissue", certificate.pk), {"reason": "Name change"})

        certificate.refresh_from_db()
        new = certificate.superseded_by
        assert new is not None
        assert response.status_code == 302
        assert response.url == url("inspect", new.pk)
        assert certificate.status == "superseded"
        assert new.holder_name == "Samira Okafor-Jones"
        assert enqueued == [new.pk]
        page = text(client.get(url("inspect", certificate.pk)))
        assert "Superseded by a reissue" in page
        assert new.code in page

    def test_an_overlong_reason_is_refused(self, client, registrar, certificate, enqueued):
        client.force_login(registrar)
        response = client.post(url("reissue", certificate.pk), {"reason": "x" * 1001})
        assert response.status_code == 200
        assert "1,000 characters or fewer" in text(response)
        assert Certificate.objects.count() == 1
        assert enqueued == []


class TestRetryPdf:
    def test_retry_requeues_the_render(self, client, registrar, certificate, enqueued):
        Certificate.objects.filter(pk=certificate.pk).update(
            pdf_status="gave_up", pdf_attempts=5, pdf_error="OSError: font missing"
        )
        client.force_login(registrar)
        page = text(client.get(url("retry_pdf", certificate.pk)))
        assert "OSError: font missing" in page

        response = client.post(url("retry_pdf", certificate.pk))

        assert response.status_code == 302
        certificate.refresh_from_db()
        assert certificate.pdf_status == "pending"
        assert certificate.pdf_attempts == 0
        assert enqueued == [certificate.pk]

    def test_viewers_may_not_retry(self, client, viewer, certificate, enqueued):
        Certificate.objects.filter(pk=certificate.pk).update(pdf_status="failed")
        client.force_login(viewer)
        response = client.post(url("retry_pdf", certificate.pk))
        assert response.status_code in (302, 403)
        assert enqueued == []
