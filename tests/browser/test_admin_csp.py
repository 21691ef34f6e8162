"""The Wagtail admin works in a real browser under the site's Content Security Policy."""

from __future__ import annotations

import pytest

from cms.models import HomePage
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_page_editor_has_no_csp_violations(new_page, screenshot_dir):
    UserFactory(username="root", email="root@example.org", is_superuser=True, is_staff=True)
    home = HomePage.objects.get()
    page = new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and "assets.nhs.uk" not in message.text + str(message.location.get("url", ""))
            and errors.append(message.text)
        ),
    )
    # The admin's login sends people to the site's login page and back.
    page.goto("/admin/login/")
    page.fill("#id_login", "root@example.org")
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    page.goto(f"/admin/pages/{home.pk}/edit/")
    page.get_by_role("button", name="Save draft").wait_for()
    page.screenshot(path=screenshot_dir / "admin-page-editor.png", full_page=False)
    assert errors == []
