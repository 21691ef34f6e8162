"""One source of the site's address for links made outside a request.

Certificates (the PDF's QR code and printed link), emails sent by tasks and the xAPI agent
all take the host from ``site_url``, so a site served anywhere but 127.0.0.1:8000 links to
itself everywhere.
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.test import override_settings
from django.utils import timezone

from imh_assessments.xapi.identifiers import learner_agent
from imh_assessments.xapi.statements import statement_parse
from imh_certificates import rendering
from imh_certificates.portfolio import certificate_verify_url
from imh_certificates.tasks_reminders import certificate_reminders_send
from imh_core.links import site_base_url, site_url
from imh_organisations import services as organisation_services
from tests.assessments.xapi_helpers import bare_activity, statement
from tests.certificates.factories import CertificateFactory
from tests.factories import UserFactory
from tests.organisations.factories import ManagerMembershipFactory, OrganisationFactory

SITE = "https://learning.example.org"
# Written with a slash at the end, as people often do: links must not get two.
elsewhere = override_settings(WAGTAILADMIN_BASE_URL=SITE + "/")


class TestSiteUrl:
    @elsewhere
    def test_the_address_has_no_slash_at_the_end(self):
        assert site_base_url() == SITE
        assert site_url() == SITE

    @elsewhere
    def test_paths_join_the_address_with_one_slash(self):
        assert site_url("/verify/ABC/") == f"{SITE}/verify/ABC/"
        assert site_url("verify/ABC/") == f"{SITE}/verify/ABC/"

    @elsewhere
    def test_an_absolute_url_is_left_as_it_is(self):
        assert site_url("https://other.example.org/page/") == "https://other.example.org/page/"

    @pytest.mark.parametrize("value", ["", None, "learning.example.org", "ftp://example.org"])
    def test_a_missing_or_partial_address_is_a_clear_error(self, value):
        with (
            override_settings(WAGTAILADMIN_BASE_URL=value),
            pytest.raises(ImproperlyConfigured, match="WAGTAILADMIN_BASE_URL"),
        ):
            site_url("/verify/")


@pytest.mark.django_db
class TestEverythingMadeOutsideARequestUsesTheAddress:
    @elsewhere
    def test_certificate_qr_code_and_printed_link(self):
        certificate = CertificateFactory()
        verify = f"{SITE}/verify/{certificate.code}/"

        assert rendering.verification_url(certificate.code) == verify
        html = rendering.certificate_html(certificate=certificate)
        assert rendering.qr_data_uri(verify) in html
        assert f'alt="QR code linking to {verify}"' in html
        assert rendering.static_base_url() == f"{SITE}/static/"

    @elsewhere
    def test_portfolio_links_each_certificate_to_its_check(self):
        certificate = CertificateFactory()
        assert certificate_verify_url(certificate) == f"{SITE}/verify/{certificate.code}/"

    @elsewhere
    def test_expiry_reminder_sent_by_the_task_worker(self):
        holder = UserFactory(email="priya@example.org")
        CertificateFactory(
            holder=holder,
            issued_at=timezone.now() - datetime.timedelta(days=300),
            expires_on=timezone.localdate() + datetime.timedelta(days=30),
        )

        certificate_reminders_send.enqueue()

        [message] = [m for m in mail.outbox if m.to == ["priya@example.org"]]
        assert f"{SITE}/certificates/" in message.body
        assert "testserver" not in message.body
        assert f'href="{SITE}/' in message.alternatives[0][0]

    @elsewhere
    def test_invitation_email(self, django_capture_on_commit_callbacks):
        organisation = OrganisationFactory()
        manager = ManagerMembershipFactory(organisation=organisation).user
        with django_capture_on_commit_callbacks(execute=True):
            invitation = organisation_services.invitation_create(
                organisation=organisation, email="jo@example.org", role="staff", actor=manager
            )

        [message] = mail.outbox
        assert f"{SITE}/organisations/invitations/{invitation.token}/" in message.body
        assert "testserver" not in message.body

    @elsewhere
    def test_xapi_agent_home_page_is_the_address(self):
        user = UserFactory()
        assert learner_agent(user=user) == {
            "objectType": "Agent",
            "account": {"homePage": SITE, "name": str(user.pk)},
        }

    @elsewhere
    @pytest.mark.parametrize("home_page", [SITE, SITE + "/"])
    def test_xapi_statements_from_the_lesson_page_agent_are_accepted(self, home_page):
        user = UserFactory()
        body = statement(user, bare_activity())
        body["actor"] = {"objectType": "Agent", "account": {"homePage": home_page, "name": user.pk}}

        parsed = statement_parse(statement=body, user=user)

        # Stored with the one agent, however the address was written.
        assert parsed.raw["actor"] == learner_agent(user=user)

    @elsewhere
    def test_xapi_statements_for_an_account_elsewhere_are_refused(self):
        user = UserFactory()
        body = statement(user, bare_activity())
        body["actor"]["account"] = {"homePage": "http://127.0.0.1:8000", "name": str(user.pk)}

        with pytest.raises(PermissionDenied):
            statement_parse(statement=body, user=user)
