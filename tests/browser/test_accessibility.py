"""WCAG 2.2 AA: axe-core finds no violations on the pages trainees, managers, supervisors and
the public use, with the demo content loaded (so the pages show real lists, tables, tags,
players and forms, not empty states).

axe-core comes from npm (a development dependency, never served); it is evaluated in each
page through the browser's debugging protocol, which the site's content security policy does
not govern. Automated checks find only part of what WCAG asks; they keep what has been fixed
fixed.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from cms.demo import DEMO_PASSWORD
from imh_certificates.models import Certificate
from imh_courses.models import LessonPage
from imh_organisations.models import Membership, Organisation
from imh_recognition.models import Application, Recognition
from imh_reliability.models import Attempt
from imh_supervision.models import SupervisionSession

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    where: v.nodes.slice(0, 3).map((node) => node.target.join(" ")),
  }));
}"""


def _violations(page, path: str) -> list[dict]:
    response = page.goto(path)
    assert response is not None, path
    assert response.ok, (path, response.status)
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(RUN_AXE, WCAG_22_AA)


def _log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/")


def _pages() -> dict[str | None, list[str]]:
    """Who looks (None: nobody signed in) and at what, from the demo's own records."""
    trust = Organisation.objects.get(memberships__user__email="manager@example.org")
    member = (
        Membership.objects.filter(organisation=trust, user__email="trainee@example.org")
        .only("pk")
        .get()
    )
    lesson = LessonPage.objects.live().get(slug="attunement-and-serve-and-return")
    certificate = Certificate.objects.filter(holder__email="nursery@example.org").first()
    recognition = Recognition.objects.filter(public=True).first()
    application = Application.objects.get(applicant__email="trainee@example.org")
    session = SupervisionSession.objects.filter(participants__user__email="trainee@example.org")
    attempt = Attempt.objects.get(user__email="trainee@example.org")
    return {
        None: [
            "/",
            "/courses/",
            lesson.get_parent().get_parent().url,
            "/accounts/login/",
            "/accounts/signup/",
            "/verify/",
            f"/verify/{certificate.code}/",
            "/recognition/register/",
            "/recognition/register/?q=nobody+by+this+name",
            f"/recognition/verify/{recognition.code}/",
            "/competencies/programmes/",
        ],
        "trainee@example.org": [
            "/accounts/",
            "/learning/",
            lesson.url,
            "/competencies/",
            "/certificates/",
            "/compliance/my-record/",
            "/supervision/",
            reverse("imh_supervision:session_detail", args=[session.first().pk]),
            "/reliability/",
            reverse("imh_reliability:result", args=[attempt.pk]),
            reverse("imh_reliability:clip_feedback", args=[attempt.pk, 1]),
            "/recognition/",
            reverse("imh_recognition:application", args=[application.pk]),
            "/competencies/programmes/",
        ],
        "manager@example.org": [
            reverse("imh_compliance:dashboard", args=[trust.pk]),
            reverse("imh_compliance:member", args=[trust.pk, member.pk]),
            reverse("imh_organisations:manage", args=[trust.pk]),
            reverse("imh_supervision:manage", args=[trust.pk]),
        ],
        "educator@example.org": [
            reverse("imh_supervision:session_new"),
        ],
    }


def test_the_main_pages_meet_wcag_22_aa_by_axe(new_page):
    assert AXE.exists(), "axe-core is missing: run `make setup` (npm ci installs it)"
    call_command("demo_load", stdout=io.StringIO(), stderr=io.StringIO())

    found: dict[str, list[dict]] = {}
    for who, paths in _pages().items():
        page = new_page()
        if who:
            _log_in(page, who)
        for path in paths:
            violations = _violations(page, path)
            if violations:
                found[f"{who or 'anonymous'} {path}"] = violations

    # A form with errors: the error summary and the fields' messages.
    page = new_page()
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Log in").click()
    page.locator(".nhsuk-error-summary").wait_for()
    page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(RUN_AXE, WCAG_22_AA)
    if violations:
        found["anonymous /accounts/login/ with errors"] = violations

    assert found == {}
