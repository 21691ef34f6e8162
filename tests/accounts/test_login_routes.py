"""Every way in goes through allauth: Wagtail's and Django's own login and reset pages do not.

allauth is what insists on a verified email address and limits failed logins and reset
requests; a login page that skips it would undo both.
"""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/"
SITE_LOGIN = "/_util/login/"
ADMIN_RESET = "/admin/password_reset/"
EVERY_LOGIN_ROUTE = ["/accounts/login/", ADMIN_LOGIN, SITE_LOGIN]


def _is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def _post_credentials(client, url: str, user, password: str):
    # Each form names the identifier differently: allauth asks for the email address as
    # "login", Wagtail and Django for the username.
    return client.post(
        url, {"login": user.email, "username": user.get_username(), "password": password}
    )


def _login_url(next_url: str) -> str:
    return f"{reverse('account_login')}?next={next_url}"


@pytest.fixture
def admin(db):
    return UserFactory(username="root", email="root@example.org", is_superuser=True, is_staff=True)


@pytest.fixture
def editor(db):
    """Admin access through a group, as educators have it, rather than as a superuser."""
    user = UserFactory(username="editor", email="editor@example.org")
    group = Group.objects.create(name="Admin users")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    return user


@pytest.fixture
def trainee(db):
    return UserFactory(username="trainee", email="trainee@example.org")


@pytest.mark.parametrize("url", [ADMIN_LOGIN, SITE_LOGIN])
def test_an_unverified_account_cannot_log_in_through_wagtails_pages(client, url):
    user = UserFactory(username="new", email="new@example.org", is_staff=True, verified=False)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)

    response = _post_credentials(client, url, user, DEFAULT_PASSWORD)

    assert not _is_logged_in(client)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("url", EVERY_LOGIN_ROUTE)
def test_fifteen_wrong_passwords_lock_every_login_route(client, admin, url):
    for _ in range(15):
        _post_credentials(client, url, admin, "not-the-password-1")
        assert not _is_logged_in(client)

    _post_credentials(client, url, admin, DEFAULT_PASSWORD)

    assert not _is_logged_in(client)


@pytest.mark.parametrize("url", [ADMIN_LOGIN, SITE_LOGIN])
def test_wagtails_login_pages_send_people_to_the_site_login(client, url):
    response = client.get(f"{url}?next=/admin/pages/")

    assert response.status_code == 302
    assert response["Location"] == _login_url("/admin/pages/")


def test_the_admin_login_keeps_people_heading_for_the_admin(client):
    response = client.get(ADMIN_LOGIN)

    assert response["Location"] == _login_url(reverse("wagtailadmin_home"))


@pytest.mark.parametrize("url", [ADMIN_LOGIN, SITE_LOGIN])
@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "javascript:x"])
def test_an_unsafe_next_address_is_dropped(client, url, next_url):
    response = client.get(url, {"next": next_url})

    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert "javascript" not in response["Location"]


def test_an_anonymous_visit_to_the_admin_ends_at_the_site_login(client):
    response = client.get("/admin/pages/", follow=True)

    assert response.redirect_chain[-1][0] == _login_url("/admin/pages/")
    assert response.status_code == 200
    assert "<h1>Log in</h1>" in response.content.decode()
    assert 'class="nhsuk-template"' in response.content.decode(), "the NHS.UK site login"


@pytest.mark.parametrize("who", ["admin", "editor"])
def test_people_with_admin_access_log_in_through_the_site_and_reach_the_admin(client, request, who):
    user = request.getfixturevalue(who)
    login_page = client.get(ADMIN_LOGIN, follow=True)
    assert login_page.status_code == 200

    response = client.post(
        _login_url(reverse("wagtailadmin_home")),
        {"login": user.email, "password": DEFAULT_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_someone_with_admin_access_who_is_logged_in_goes_straight_on(client, admin):
    client.force_login(admin)

    response = client.get(ADMIN_LOGIN, {"next": "/admin/pages/"})

    assert response.status_code == 302
    assert response["Location"] == "/admin/pages/"


def test_a_trainee_cannot_get_an_admin_session(client, trainee):
    response = _post_credentials(client, ADMIN_LOGIN, trainee, DEFAULT_PASSWORD)
    assert not _is_logged_in(client)
    assert response["Location"].startswith(reverse("account_login"))

    client.post(
        _login_url(reverse("wagtailadmin_home")),
        {"login": trainee.email, "password": DEFAULT_PASSWORD},
    )
    assert _is_logged_in(client), "they can still use the site"

    # Following them into the admin ends on one clear page: no login form, no loop.
    response = client.get(reverse("wagtailadmin_home"), follow=True)

    assert response.status_code == 403
    assert len(response.redirect_chain) == 1
    html = response.content.decode()
    assert "<h1>You do not have access to the admin</h1>" in html
    assert 'class="nhsuk-template"' in html
    assert 'name="password"' not in html
    assert "You do not have permission to access the admin." not in html, "said once, not twice"
    assert reverse("account_logout") in html


def test_a_trainee_sent_to_the_site_login_for_the_admin_does_not_loop(client, trainee):
    client.force_login(trainee)

    response = client.get(_login_url(reverse("wagtailadmin_home")), follow=True)

    assert response.status_code == 403
    assert len(response.redirect_chain) <= 3
    assert "You do not have access to the admin" in response.content.decode()


def test_a_logged_in_person_sent_to_wagtails_site_login_is_refused_not_looped(client, trainee):
    # Wagtail sends people here when a page is limited to groups they are not in.
    client.force_login(trainee)

    response = client.get(SITE_LOGIN, {"next": "/members-only/"})

    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [ADMIN_RESET, f"{ADMIN_RESET}done/", f"{ADMIN_RESET}complete/"],
)
def test_the_admin_password_reset_pages_lead_to_the_site_reset(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password")


def test_an_admin_reset_link_cannot_set_a_password(client, admin):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(admin.pk))
    token = default_token_generator.make_token(admin)
    url = f"{ADMIN_RESET}confirm/{uid}/{token}/"

    page = client.get(url, follow=True)
    client.post(
        f"{ADMIN_RESET}confirm/{uid}/set-password/",
        {"new_password1": "a-brand-new-passphrase-9", "new_password2": "a-brand-new-passphrase-9"},
    )

    admin.refresh_from_db()
    assert admin.check_password(DEFAULT_PASSWORD)
    assert page.redirect_chain[-1][0] == reverse("account_reset_password")
    assert "no longer works" in page.content.decode()


def test_admin_password_reset_requests_are_rate_limited(client, admin):
    for _ in range(10):
        client.post(ADMIN_RESET, {"email": admin.email})
    assert len(mail.outbox) == 0, "the admin's own reset form does not send anything"

    responses = [
        client.post(reverse("account_reset_password"), {"email": admin.email}) for _ in range(10)
    ]

    assert len(mail.outbox) == 5, "allauth sends at most 5 a minute to one address"
    assert {response.status_code for response in responses} == {302, 429}


def test_the_admins_account_page_does_not_change_password_or_email(client, admin):
    """Wagtail's account page would change a password without allauth's rate limit and an
    email address without verification; both are managed on the site's account pages."""
    client.force_login(admin)
    old_hash = admin.password

    page = client.get("/admin/account/")
    client.post(
        "/admin/account/",
        {
            "password-old_password": DEFAULT_PASSWORD,
            "password-new_password1": "a-brand-new-password-42",
            "password-new_password2": "a-brand-new-password-42",
            "email-email": "someone-else@example.org",
            "name-first_name": "Root",
            "name-last_name": "Admin",
        },
    )

    admin.refresh_from_db()
    assert page.status_code == 200
    assert b"new_password1" not in page.content
    assert admin.password == old_hash
    assert admin.email == "root@example.org"
