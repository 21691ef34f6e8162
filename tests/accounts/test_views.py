"""Account pages: home, profile, data download, deletion, privacy notice."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks

from imh_accounts.models import Profile
from imh_core.hooks import IMH_PAGE_LINKS
from tests.accounts.factories import EmptyProfileFactory, ProfileFactory
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PRIVATE_PAGES = [
    "imh_accounts:dashboard",
    "imh_accounts:profile",
    "imh_accounts:data_export",
    "imh_accounts:delete",
]

VALID_PROFILE = {
    "full_name": "Alex Smith",
    "professional_role": "health_visitor",
    "registration_body": "nmc",
    "registration_number": "12a 3456e",
    "job_title": "Health visitor",
}


@pytest.mark.parametrize("name", PRIVATE_PAGES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_users_are_sent_to_log_in(client, name, method):
    url = reverse(name)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


class TestDashboard:
    def test_incomplete_profile_is_prompted_and_created_lazily(self, logged_in_client, user):
        assert not Profile.objects.filter(user=user).exists()
        response = logged_in_client.get(reverse("imh_accounts:dashboard"))
        assert response.status_code == 200
        html = response.content.decode()
        assert "<title>Your account" in html
        assert "Complete your profile</h2>" in html
        assert f'href="{reverse("imh_accounts:profile")}">Complete your profile</a>' in html
        assert Profile.objects.filter(user=user).exists()

    def test_complete_profile_shows_details_and_links(self, logged_in_client, profile):
        response = logged_in_client.get(reverse("imh_accounts:dashboard"))
        html = response.content.decode()
        assert "Complete your profile" not in html
        assert "Alex Smith" in html
        assert "12A3456E" in html
        for name in [
            "imh_accounts:profile",
            "account_email",
            "account_change_password",
            "imh_accounts:data_export",
            "imh_accounts:delete",
            "imh_organisations:mine",
        ]:
            assert f'href="{reverse(name)}"' in html, name

    def test_organisations_link_only_when_the_organisations_app_adds_it(
        self, logged_in_client, profile, monkeypatch
    ):
        from imh_accounts import views

        monkeypatch.setattr(views, "page_links", lambda place, request, **objects: [])
        html = logged_in_client.get(reverse("imh_accounts:dashboard")).content.decode()
        assert '<h2 class="nhsuk-heading-m">Organisations</h2>' not in html

    def test_a_higher_app_adds_links_through_the_page_links_hook(self, logged_in_client, profile):
        def link(place, request, **objects):
            return [{"label": "Rotas", "url": "/rotas/"}] if place == "accounts:dashboard" else []

        with hooks.register_temporarily(IMH_PAGE_LINKS, link):
            html = logged_in_client.get(reverse("imh_accounts:dashboard")).content.decode()
        assert '<a href="/rotas/">Rotas</a>' in html

    def test_query_count(self, logged_in_client, profile, django_assert_max_num_queries):
        logged_in_client.get(reverse("imh_accounts:dashboard"))  # warm Wagtail's site caches
        with django_assert_max_num_queries(8):
            response = logged_in_client.get(reverse("imh_accounts:dashboard"))
        assert response.status_code == 200


class TestProfile:
    def test_get_shows_the_form_with_current_values(self, logged_in_client, profile):
        response = logged_in_client.get(reverse("imh_accounts:profile"))
        html = response.content.decode()
        assert response.status_code == 200
        assert "<title>Your profile" in html
        assert 'value="Alex Smith"' in html
        assert 'value="midwife" checked' in html
        assert '<a class="nhsuk-breadcrumb__link" href="/accounts/">Your account</a>' in html

    def test_valid_post_saves_and_returns_to_the_dashboard(self, logged_in_client, user):
        EmptyProfileFactory(user=user)
        response = logged_in_client.post(
            reverse("imh_accounts:profile"), VALID_PROFILE, follow=True
        )
        assert response.redirect_chain == [(reverse("imh_accounts:dashboard"), 302)]
        assert "Your profile has been saved" in response.content.decode()
        profile = Profile.objects.get(user=user)
        assert profile.registration_number == "12A3456E"
        assert profile.professional_role == "health_visitor"
        assert profile.is_complete

    def test_malformed_nmc_pin_gives_a_clear_error_and_keeps_the_input(
        self, logged_in_client, user
    ):
        EmptyProfileFactory(user=user)
        data = {**VALID_PROFILE, "registration_number": "1234", "job_title": "Team lead"}
        response = logged_in_client.post(reverse("imh_accounts:profile"), data)
        html = response.content.decode()
        assert response.status_code == 200
        assert "<title>Error: Your profile" in html
        assert 'class="nhsuk-error-summary"' in html
        assert '<a href="#id_registration_number">Enter your NMC PIN in the correct format' in html
        assert 'id="id_registration_number_error"' in html
        assert 'value="Alex Smith"' in html
        assert 'value="Team lead"' in html
        assert 'value="health_visitor" checked' in html
        assert Profile.objects.get(user=user).full_name == ""

    def test_midwife_with_another_body_is_told_to_choose_the_nmc(self, logged_in_client, user):
        data = {**VALID_PROFILE, "registration_body": "gmc", "registration_number": "1234567"}
        response = logged_in_client.post(reverse("imh_accounts:profile"), data)
        assert '<a href="#id_registration_body_0">Select the NMC' in response.content.decode()

    def test_name_longer_than_150_characters(self, logged_in_client, profile):
        data = {**VALID_PROFILE, "full_name": "A" * 151}
        response = logged_in_client.post(reverse("imh_accounts:profile"), data)
        assert "Full name must be 150 characters or fewer" in response.content.decode()
        profile.refresh_from_db()
        assert profile.full_name == "Alex Smith"

    def test_missing_name_and_role(self, logged_in_client, user):
        response = logged_in_client.post(
            reverse("imh_accounts:profile"), {"full_name": "", "registration_body": ""}
        )
        html = response.content.decode()
        assert '<a href="#id_full_name">Enter your full name</a>' in html
        assert '<a href="#id_professional_role_0">Select your professional role</a>' in html

    def test_post_without_csrf_token_is_rejected_and_changes_nothing(self, user, profile):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        response = client.post(
            reverse("imh_accounts:profile"), {**VALID_PROFILE, "full_name": "Changed"}
        )
        assert response.status_code == 403
        profile.refresh_from_db()
        assert profile.full_name == "Alex Smith"

    def test_post_with_csrf_token_is_accepted(self, user, profile):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        page = client.get(reverse("imh_accounts:profile"))
        token = page.context["csrf_token"]
        response = client.post(
            reverse("imh_accounts:profile"),
            {**VALID_PROFILE, "full_name": "Changed", "csrfmiddlewaretoken": str(token)},
        )
        assert response.status_code == 302
        profile.refresh_from_db()
        assert profile.full_name == "Changed"


class TestDataExport:
    def test_get_explains(self, logged_in_client):
        response = logged_in_client.get(reverse("imh_accounts:data_export"))
        html = response.content.decode()
        assert response.status_code == 200
        assert "<title>Download your data" in html
        assert '<form method="post" action="/accounts/data/"' in html

    def test_post_downloads_everything_as_json(self, logged_in_client, profile, register_exporter):
        register_exporter("certificates", lambda user: [{"code": "ABC-123", "holder": user.pk}])

        response = logged_in_client.post(reverse("imh_accounts:data_export"))

        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        today = timezone.localdate().isoformat()
        assert response["Content-Disposition"] == f'attachment; filename="imh-data-{today}.json"'
        assert "no-store" in response["Cache-Control"]
        data = json.loads(response.content)
        assert data["account"]["email"] == "alex@example.org"
        assert data["email_addresses"][0]["email"] == "alex@example.org"
        assert data["profile"]["full_name"] == "Alex Smith"
        assert data["sections"]["certificates"] == [{"code": "ABC-123", "holder": profile.user.pk}]

    def test_post_without_csrf_token_is_rejected(self, user):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        assert client.post(reverse("imh_accounts:data_export")).status_code == 403


class TestDelete:
    def test_get_explains_what_is_removed_and_kept(self, logged_in_client):
        response = logged_in_client.get(reverse("imh_accounts:delete"))
        html = response.content.decode()
        assert "<title>Delete your account" in html
        assert "What we remove" in html
        assert "What we keep" in html
        assert 'autocomplete="current-password"' in html
        assert "nhsuk-button--warning" in html

    def test_wrong_password_changes_nothing(self, logged_in_client, user, profile, register_eraser):
        calls = []
        register_eraser("test", calls.append)
        response = logged_in_client.post(reverse("imh_accounts:delete"), {"password": "wrong-one"})
        html = response.content.decode()
        assert response.status_code == 200
        assert "<title>Error: Delete your account" in html
        assert '<a href="#id_password">The password is not correct</a>' in html
        user.refresh_from_db()
        assert user.is_active
        assert user.email == "alex@example.org"
        assert Profile.objects.get(user=user).deleted_at is None
        assert calls == []
        assert logged_in_client.session.get(SESSION_KEY) == str(user.pk)

    def test_empty_password(self, logged_in_client, user):
        response = logged_in_client.post(reverse("imh_accounts:delete"), {"password": ""})
        assert "Enter your password to delete your account" in response.content.decode()
        user.refresh_from_db()
        assert user.is_active

    def test_right_password_pseudonymises_logs_out_and_confirms(
        self, client, logged_in_client, user, profile, register_eraser
    ):
        erased = []
        register_eraser("test", lambda u: erased.append(u.pk))

        response = logged_in_client.post(
            reverse("imh_accounts:delete"), {"password": DEFAULT_PASSWORD}, follow=True
        )

        assert response.redirect_chain == [(reverse("imh_accounts:delete_done"), 302)]
        assert "Your account has been deleted" in response.content.decode()
        assert SESSION_KEY not in logged_in_client.session
        assert erased == [user.pk]
        user.refresh_from_db()
        assert user.username.startswith("deleted-")
        assert user.email.endswith("@invalid")
        assert not user.is_active
        assert not user.has_usable_password()
        assert not EmailAddress.objects.filter(user=user).exists()
        profile.refresh_from_db()
        assert profile.full_name == ""
        assert profile.deleted_at is not None

        # The old email address and password no longer open anything.
        login = Client().post(
            reverse("account_login"), {"login": "alex@example.org", "password": DEFAULT_PASSWORD}
        )
        assert login.status_code == 200
        assert "The email address or password is not correct" in login.content.decode()

        # The confirmation shows once; afterwards the address just goes home.
        again = logged_in_client.get(reverse("imh_accounts:delete_done"))
        assert again.status_code == 302
        assert again["Location"] == "/"

    def test_confirmation_page_is_not_shown_to_strangers(self, client):
        response = client.get(reverse("imh_accounts:delete_done"))
        assert response.status_code == 302

    def test_password_guessing_is_rate_limited(self, logged_in_client, user):
        for _ in range(10):
            logged_in_client.post(reverse("imh_accounts:delete"), {"password": "wrong-one"})
        response = logged_in_client.post(
            reverse("imh_accounts:delete"), {"password": DEFAULT_PASSWORD}
        )
        assert "You have tried too many times" in response.content.decode()
        user.refresh_from_db()
        assert user.is_active

    def test_post_without_csrf_token_is_rejected(self, user):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        response = client.post(reverse("imh_accounts:delete"), {"password": DEFAULT_PASSWORD})
        assert response.status_code == 403
        user.refresh_from_db()
        assert user.is_active


class TestPrivacy:
    def test_is_public_and_explains_retention(self, client):
        response = client.get(reverse("imh_accounts:privacy"))
        html = response.content.decode()
        assert response.status_code == 200
        assert "<title>Privacy and your data" in html
        assert "name as it stood when they were issued" in html
        assert reverse("imh_accounts:data_export") in html
        assert reverse("imh_accounts:delete") in html


def test_other_users_data_is_never_shown(logged_in_client, profile):
    other = ProfileFactory(user=UserFactory(), full_name="Someone Else")
    html = logged_in_client.get(reverse("imh_accounts:dashboard")).content.decode()
    assert other.full_name not in html
    data = json.loads(logged_in_client.post(reverse("imh_accounts:data_export")).content)
    assert data["profile"]["full_name"] == "Alex Smith"
