"""The demo loader: complete, idempotent, and its printed logins work."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Page, Revision

from cms.demo import DEMO_PASSWORD, DEMO_USERS
from imh_organisations.models import Invitation, Membership, Organisation


def _counts() -> dict[str, int]:
    return {
        "users": get_user_model().objects.count(),
        "organisations": Organisation.objects.count(),
        "memberships": Membership.objects.count(),
        "invitations": Invitation.objects.count(),
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
    }


@pytest.mark.django_db
def test_demo_load_twice_duplicates_nothing():
    call_command("demo_load")
    first = _counts()
    call_command("demo_load")
    assert _counts() == first
    assert first["organisations"] == 2


@pytest.mark.django_db
@pytest.mark.parametrize("email", [user.email for user in DEMO_USERS])
def test_every_printed_demo_login_works(client, email):
    call_command("demo_load")
    response = client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get("/accounts/").status_code == 200


@pytest.mark.django_db
def test_demo_has_managers_staff_and_a_pending_request():
    call_command("demo_load")
    trust = Organisation.objects.get(organisation_type="nhs_trust")
    nursery = Organisation.objects.get(organisation_type="nursery")
    assert trust.memberships.filter(
        role="manager", status="active", user__email="manager@example.org"
    ).exists()
    assert trust.memberships.filter(
        role="staff", status="active", user__email="trainee@example.org"
    ).exists()
    assert nursery.memberships.filter(status="pending").count() == 1
    admin = get_user_model().objects.get(email="admin@example.org")
    assert admin.is_superuser
    educator = get_user_model().objects.get(email="educator@example.org")
    assert educator.groups.filter(name="Educators").exists()


@pytest.mark.django_db
def test_demo_home_page_explains_the_platform(client):
    call_command("demo_load")
    html = client.get("/").content.decode()
    assert "Training for everyone who works with babies" in html
    assert client.get("/accessibility/").status_code == 200


@pytest.mark.django_db
def test_demo_logins_prints_every_login(capsys):
    call_command("demo_logins", base_url="http://127.0.0.1:8000")
    out = capsys.readouterr().out
    for user in DEMO_USERS:
        assert user.email in out
    assert DEMO_PASSWORD in out
    assert "http://127.0.0.1:8000/admin/" in out
