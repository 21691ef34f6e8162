"""A trainee finds a programme in the directory and logs it in one step, in Chromium."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from imh_competencies import services
from imh_competencies.models import ExternalLearning, ExternalProgramme
from tests.competencies.factories import AreaFactory, CompetencyFactory, FrameworkFactory
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/")


def test_find_and_claim_a_programme_in_one_step(new_page, screenshot_dir):
    framework = FrameworkFactory(name="Infant mental health", slug="imh")
    area = AreaFactory(framework=framework, code="R", name="Relationships")
    cues = CompetencyFactory(area=area, code="R1", short_name="Reading a baby's cues")
    educator = UserFactory(email="erin@example.org")
    educator.groups.add(Group.objects.get(name="Educators"))
    programme = services.programme_create(
        actor=educator,
        title="Newborn Behavioural Observations",
        provider="Brazelton Centre UK",
        framework=framework,
        level=2,
        format=ExternalProgramme.Format.BLENDED,
        typical_hours="14",
        participatory=True,
        mappings=[(cues, 2)],
    )
    services.programme_review(programme=programme, actor=educator, approve=True)
    trainee = UserFactory(email="priya@example.org", first_name="Priya", last_name="Shah")

    page = new_page()
    _log_in(page, trainee.email)
    page.goto("/competencies/external-learning/")
    page.get_by_role("link", name="Find it in the programme directory").click()
    page.get_by_label("Search programmes").fill("newborn")
    page.get_by_role("button", name="Show programmes").click()
    page.get_by_role("link", name="Newborn Behavioural Observations").click()
    assert "R1 Reading a baby's cues" in page.locator("main").inner_text()

    completed = timezone.localdate() - datetime.timedelta(days=3)
    page.get_by_label("Date you completed it").fill(completed.isoformat())
    page.get_by_role("button", name="Log it as learning I have done").click()
    page.wait_for_url(re.compile(r"/competencies/external-learning/\d+/$"))
    page.screenshot(path=str(screenshot_dir / "programme-claimed.png"), full_page=True)

    main = page.locator("main").inner_text()
    assert "add your certificate" in main
    assert "From the programme directory" in main
    assert "14 hours" in main
    item = ExternalLearning.objects.get(user=trainee)
    assert item.programme == programme
    assert item.completed_on == completed
    assert [(c.competency_id, c.level) for c in item.claims.all()] == [(cues.pk, 2)]
