"""Every allauth page this configuration reaches renders in the site's NHS.UK layout."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return response.content.decode()


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", _html(response), re.S).group(1).strip()


def assert_site_page(response, *, title: str, heading: str | None = None) -> None:
    """Rendered inside cms/templates/base.html, with its title and one h1."""
    assert response.status_code == 200
    html = _html(response)
    assert 'class="nhsuk-template"' in html, "extends the site's base.html"
    assert 'id="maincontent"' in html
    assert _title(response).startswith(title)
    assert html.count("<h1") == 1
    assert f"<h1>{heading or title}</h1>" in html
    assert 'class="nhsuk-breadcrumb"' in html
    assert "<strong>Menu:</strong>" not in html, "allauth's own layout is not used"


def assert_nhsuk_form(response) -> None:
    html = _html(response)
    assert 'class="nhsuk-form-group' in html
    assert 'class="nhsuk-label"' in html
    assert re.search(r'<input[^>]*class="[^"]*nhsuk-input', html)
    assert 'class="nhsuk-button' in html
    assert "placeholder=" not in html, "NHS.UK forms use hints, not placeholders"
    assert "csrfmiddlewaretoken" in html
    assert " novalidate" in html


def _reset_key_url(client, email: str) -> str:
    client.post(reverse("account_reset_password"), {"email": email})
    return re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[-1].body)[1]


class TestEntrancePages:
    def test_login(self, client):
        response = client.get(reverse("account_login"))
        assert_site_page(response, title="Log in")
        assert_nhsuk_form(response)
        html = _html(response)
        assert '<label class="nhsuk-label" for="id_login">Email address</label>' in html
        assert 'autocomplete="current-password"' in html
        assert "Forgotten your password?" in html
        assert reverse("account_signup") in html

    def test_login_with_errors_has_summary_messages_and_described_inputs(self, client):
        response = client.post(reverse("account_login"), {"login": "not-an-email", "password": ""})
        assert_site_page(response, title="Error: Log in", heading="Log in")
        html = _html(response)
        assert 'class="nhsuk-error-summary"' in html
        assert '<a href="#id_login">' in html
        assert '<a href="#id_password">' in html
        assert (
            '<span class="nhsuk-error-message" id="id_login_error">'
            '<span class="nhsuk-u-visually-hidden">Error:</span>'
        ) in html
        assert re.search(
            r'<input[^>]*nhsuk-input--error[^>]*aria-describedby="id_login_error"', html
        )
        assert 'aria-describedby="id_password_helptext id_password_error"' in html
        assert "nhsuk-form-group--error" in html

    def test_wrong_password_error_links_to_the_first_field(self, client, user):
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": "wrong-password"}
        )
        html = _html(response)
        assert '<li><a href="#id_login">The email address or password is not correct</a></li>' in (
            re.sub(r"\s+<", "<", html)
        )

    def test_signup(self, client):
        response = client.get(reverse("account_signup"))
        assert_site_page(response, title="Create an account")
        assert_nhsuk_form(response)
        html = _html(response)
        assert 'autocomplete="new-password"' in html
        assert "Confirm password" in html
        assert 'id="id_password1_helptext"' in html, "password rules shown as a hint"

    def test_signup_with_errors(self, client):
        response = client.post(
            reverse("account_signup"),
            {"email": "sam@example.org", "password1": "short", "password2": "different"},
        )
        assert_site_page(response, title="Error: Create an account", heading="Create an account")
        assert 'class="nhsuk-error-summary"' in _html(response)

    def test_verification_sent(self, client):
        response = client.get(reverse("account_email_verification_sent"))
        assert_site_page(response, title="Check your email")

    def test_confirm_email_with_a_valid_key(self, client):
        from tests.factories import UserFactory

        user = UserFactory(verified=False)
        address = EmailAddress.objects.create(user=user, email=user.email, primary=True)
        key = EmailConfirmationHMAC(address).key
        response = client.get(reverse("account_confirm_email", args=[key]))
        assert_site_page(response, title="Confirm your email address")
        assert user.email in _html(response)
        assert 'class="nhsuk-button"' in _html(response)

    def test_confirm_email_with_a_bad_key(self, client):
        response = client.get(reverse("account_confirm_email", args=["not-a-key"]))
        assert_site_page(response, title="This link has expired or is not valid")

    def test_password_reset(self, client):
        response = client.get(reverse("account_reset_password"))
        assert_site_page(response, title="Reset your password")
        assert_nhsuk_form(response)

    def test_password_reset_done(self, client):
        response = client.get(reverse("account_reset_password_done"))
        assert_site_page(response, title="Check your email")

    def test_password_reset_from_key(self, client, user):
        response = client.get(_reset_key_url(client, user.email), follow=True)
        assert_site_page(response, title="Create a new password")
        assert_nhsuk_form(response)
        assert "Confirm new password" in _html(response)

    def test_password_reset_from_a_bad_key(self, client):
        response = client.get("/accounts/password/reset/key/1-not-a-key/", follow=True)
        assert_site_page(response, title="This link has expired or is not valid")

    def test_password_reset_from_key_done(self, client):
        response = client.get(reverse("account_reset_password_from_key_done"))
        assert_site_page(response, title="Your password has been changed")

    def test_account_inactive(self, client):
        response = client.get(reverse("account_inactive"))
        assert_site_page(response, title="This account is not active")


class TestManagePages:
    def test_logout_confirms_with_a_post_form(self, logged_in_client):
        response = logged_in_client.get(reverse("account_logout"))
        assert_site_page(response, title="Log out")
        html = _html(response)
        assert '<form method="post" action="/accounts/logout/"' in html
        assert "csrfmiddlewaretoken" in html
        assert '<a class="nhsuk-breadcrumb__link" href="/accounts/">Your account</a>' in html

    def test_password_change(self, logged_in_client):
        response = logged_in_client.get(reverse("account_change_password"))
        assert_site_page(response, title="Change your password")
        assert_nhsuk_form(response)
        assert "Current password" in _html(response)

    def test_password_change_with_errors(self, logged_in_client):
        response = logged_in_client.post(
            reverse("account_change_password"),
            {"oldpassword": "wrong", "password1": "x", "password2": "y"},
        )
        assert_site_page(
            response, title="Error: Change your password", heading="Change your password"
        )
        assert '<a href="#id_oldpassword">' in _html(response)

    def test_email_management(self, logged_in_client, user):
        response = logged_in_client.get(reverse("account_email"))
        assert_site_page(response, title="Email addresses")
        html = _html(response)
        assert 'class="nhsuk-radios__input" type="radio" id="email_radio_0"' in html
        assert user.email in html
        assert "nhsuk-tag--green" in html
        assert 'name="action_remove"' in html
        assert "nhsuk-button--warning" in html
        assert '<label class="nhsuk-label" for="id_email">Email address</label>' in html
        assert html.count('class="nhsuk-error-summary"') == 0

    def test_adding_an_invalid_email_shows_one_error_summary(self, logged_in_client):
        response = logged_in_client.post(
            reverse("account_email"), {"action_add": "", "email": "not-an-email"}
        )
        html = _html(response)
        assert html.count('class="nhsuk-error-summary"') == 1
        assert '<a href="#id_email">' in html

    def test_reauthenticate(self, logged_in_client):
        response = logged_in_client.get(reverse("account_reauthenticate"))
        assert_site_page(response, title="Confirm it is you")
        assert_nhsuk_form(response)


def test_too_many_requests_page(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password": "1/m/ip"}
    client.post(reverse("account_reset_password"), {"email": "a@example.org"})
    response = client.post(reverse("account_reset_password"), {"email": "b@example.org"})
    assert response.status_code == 429
    assert "Too many attempts" in _html(response)
    assert 'class="nhsuk-template"' in _html(response)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{% element h1 %}Title{% endelement %}", "<h1>Title</h1>"),
        ("{% element h2 %}Part{% endelement %}", '<h2 class="nhsuk-heading-m">Part</h2>'),
        ("{% element p %}Text{% endelement %}", "<p>Text</p>"),
        ("{% element hr %}{% endelement %}", "nhsuk-section-break"),
        (
            '{% element button href="/x/" tags="secondary" %}Go{% endelement %}',
            '<a href="/x/" class="nhsuk-button nhsuk-button--secondary" role="button"',
        ),
        (
            '{% element button type="submit" tags="danger" %}Remove{% endelement %}',
            'class="nhsuk-button nhsuk-button--warning"',
        ),
        (
            "{% element button_group %}{% element button %}A{% endelement %}{% endelement %}",
            '<div class="nhsuk-button-group"><button class="nhsuk-button"',
        ),
        (
            "{% element alert %}{% slot message %}Note{% endslot %}{% endelement %}",
            '<div class="nhsuk-inset-text">',
        ),
        ('{% element badge tags="success" %}OK{% endelement %}', "nhsuk-tag--green"),
        (
            "{% element details %}{% slot summary %}More{% endslot %}"
            "{% slot body %}Body{% endslot %}{% endelement %}",
            '<span class="nhsuk-details__summary-text">More</span>',
        ),
        (
            "{% element panel %}{% slot title %}Codes{% endslot %}{% slot body %}B{% endslot %}"
            "{% slot actions %}{% element button %}Go{% endelement %}{% endslot %}{% endelement %}",
            '<h2 class="nhsuk-card__heading nhsuk-heading-m">Codes</h2>',
        ),
        (
            "{% element table %}{% element tbody %}{% element tr %}{% element td %}1"
            "{% endelement %}{% endelement %}{% endelement %}{% endelement %}",
            '<td class="nhsuk-table__cell">',
        ),
        (
            '{% element field type="email" id="f" name="email" value="a@b.c" errors=errors %}'
            "{% slot label %}Email{% endslot %}{% slot help_text %}Hint{% endslot %}"
            "{% endelement %}",
            'aria-describedby="f_helptext f_error"',
        ),
        (
            '{% element field type="radio" id="r" name="email" value="a@b.c" checked=True %}'
            "{% slot label %}a@b.c{% endslot %}{% endelement %}",
            '<input class="nhsuk-radios__input" type="radio" id="r" name="email" value="a@b.c"'
            " checked",
        ),
    ],
)
def test_element_templates_render_nhsuk_markup(source, expected):
    from django.template import Context, Origin, Template

    origin = Origin(name="elements-test", template_name="elements-test.html")
    html = Template("{% load allauth %}" + source, origin=origin).render(
        Context({"errors": ["Enter an email address"]})
    )
    assert expected in html
