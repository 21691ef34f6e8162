"""Pages fit the screen in Chromium (WCAG 1.4.10, reflow).

At 390 CSS pixels wide (a phone) the CPD portfolio and a manager's compliance pages do not
scroll sideways: wide tables scroll inside their own labelled region, long words wrap. At
1280 pixels the compliance matrix reaches its last column by scrolling inside its region,
not by widening the page. Realistic data: long names and titles, several rows.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from imh_accounts.choices import ProfessionalRole
from imh_certificates.models import Certificate
from imh_competencies.models import ExternalLearning
from imh_compliance.models import Assignment, MandatoryRule
from imh_courses.services.learning import enrolment_create
from imh_organisations.models import Team
from tests.accounts.factories import ProfileFactory
from tests.certificates.factories import CertificateFactory
from tests.courses.factories import create_course
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.organisations.factories import (
    ManagerMembershipFactory,
    MembershipFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

COURSE_TITLES = [
    "Understanding infant mental health in the perinatal period",
    "Safeguarding babies and young children: level 3 for health visitors",
    "Attachment, attunement and co-regulation in the first 1001 days",
    "Parental mental health and its effect on the parent-infant relationship",
    "Working with fathers, co-parents and the wider family network",
    "Trauma-informed care for families with babies and toddlers",
    "Video interaction guidance: an introduction for practitioners",
    "Neonatal behavioural observation in community settings",
]
LONG_NAMES = [
    "Alexandra Montgomery-Fitzwilliam",
    "Oluwaseun Adebayo-Richardson",
    "Bartholomew Featherstonehaugh",
    "Siobhán Ní Mhaoldomhnaigh-Kowalczyk",
    "Priya Venkataraman-Chandrasekhar",
]
LONG_EMAIL_DOMAIN = "northshire-community-health-and-childrens-services.nhs.uk"


def _log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/")


def _page_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def _wider_than_the_screen(page) -> list[str]:
    """What reaches past the right edge of the screen (to say why a page is too wide)."""
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const inScroller = (el) => {
            const page = [document.body, document.documentElement];
            for (let p = el.parentElement; p && !page.includes(p); p = p.parentElement) {
              const s = getComputedStyle(p);
              if (['auto', 'scroll'].includes(s.overflowX)) return true;
            }
            return false;
          };
          return [...document.body.querySelectorAll('*')]
            .filter((el) => el.getBoundingClientRect().right > width + 1)
            .filter((el) => !inScroller(el) || getComputedStyle(el).position === 'absolute')
            .filter((el) => el.getClientRects().length)
            .map((el) => el.tagName.toLowerCase() + '.' + el.className + ' '
                 + Math.round(el.getBoundingClientRect().right) + ': '
                 + (el.textContent || '').trim().slice(0, 40));
        }"""
    )


def _assert_fits(page, width: int) -> None:
    assert _page_width(page) <= width, _wider_than_the_screen(page)


def _scroll_regions_are_labelled_and_focusable(page) -> None:
    regions = page.locator(".imh-table-scroll")
    for index in range(regions.count()):
        region = regions.nth(index)
        assert region.get_attribute("role") == "region"
        assert region.get_attribute("tabindex") == "0"
        label = region.evaluate(
            "(el) => el.getAttribute('aria-label') || (el.getAttribute('aria-labelledby') "
            "&& document.getElementById(el.getAttribute('aria-labelledby'))?.textContent)"
        )
        assert label, region.inner_html()[:80]
        assert label.strip(), region.inner_html()[:80]


def _trainee_with_portfolio():
    trainee = UserFactory(
        username="alexandra",
        email=f"alexandra.montgomery-fitzwilliam@{LONG_EMAIL_DOMAIN}",
        first_name="Alexandra",
        last_name="Montgomery-Fitzwilliam",
    )
    today = timezone.localdate()
    for number, title in enumerate(COURSE_TITLES[:6]):
        CertificateFactory(
            holder=trainee,
            title=title,
            completed_on=today - datetime.timedelta(days=30 * number),
            expires_on=today + datetime.timedelta(days=400 - 90 * number),
            pdf_status=Certificate.PdfStatus.READY if number % 2 else Certificate.PdfStatus.PENDING,
        )
    for number in range(3):
        ExternalLearning.objects.create(
            user=trainee,
            title="Regional perinatal and infant mental health network conference, day two",
            provider="Northshire and Southdale Integrated Care Board Learning Academy",
            completed_on=today - datetime.timedelta(days=10 + number),
            hours=Decimal("6.5"),
            reflection=(
                "Notes kept at https://learning.example.org/reflections/"
                "perinatal-network-conference-2026-day-two-breakout-session-notes "
                "and shared with my supervisor."
            ),
        )
    return trainee


def _organisation_with_staff():
    today = timezone.localdate()
    organisation = OrganisationFactory(
        name="Northshire Community Health and Children's Services NHS Foundation Trust"
    )
    teams = [
        Team.objects.create(organisation=organisation, name="Health visiting team, north locality"),
        Team.objects.create(organisation=organisation, name="Perinatal mental health service"),
    ]
    manager = ManagerMembershipFactory(
        organisation=organisation,
        user=UserFactory(username="morgan", email=f"morgan.manager@{LONG_EMAIL_DOMAIN}"),
    ).user
    ProfileFactory(
        user=manager,
        full_name="Morgan Manager",
        professional_role=ProfessionalRole.OTHER,
        registration_body="",
        registration_number="",
    )
    courses = [
        create_course(title=title, slug=f"layout-{n}", modules=1, lessons_per_module=1)
        for n, title in enumerate(COURSE_TITLES)
    ]
    for course in courses:
        MandatoryRule.objects.create(organisation=organisation, course=course, roles=[])
    memberships = []
    for number, name in enumerate(LONG_NAMES):
        membership = MembershipFactory(organisation=organisation, team=teams[number % 2])
        membership.user.email = f"{name.split()[0].lower()}.{number}@{LONG_EMAIL_DOMAIN}"
        membership.user.save(update_fields=["email"])
        ProfileFactory(
            user=membership.user,
            full_name=name,
            professional_role=ProfessionalRole.HEALTH_VISITOR,
            registration_body="",
            registration_number="",
        )
        for offset, course in enumerate(courses):
            Assignment.objects.create(
                organisation=organisation,
                user=membership.user,
                course=course,
                due_on=today + datetime.timedelta(days=(offset - 3) * 20),
            )
        for course in courses[:3]:
            enrolment_create(user=membership.user, course=course)
        for title in COURSE_TITLES[:4]:
            CertificateFactory(holder=membership.user, holder_name=name, title=title)
        memberships.append(membership)
    return organisation, manager, memberships


def test_cpd_portfolio_fits_a_phone(new_page, screenshot_dir):
    trainee = _trainee_with_portfolio()
    page = new_page()
    page.set_viewport_size(PHONE)
    _log_in(page, trainee.email)

    page.goto("/certificates/")
    page.get_by_role("heading", name="CPD portfolio").wait_for()

    _assert_fits(page, PHONE["width"])
    _scroll_regions_are_labelled_and_focusable(page)
    assert page.locator(".imh-table-scroll table").count() == 2
    page.screenshot(path=screenshot_dir / "layout-portfolio-390.png", full_page=True)


def test_compliance_pages_fit_a_phone(new_page, screenshot_dir):
    organisation, manager, memberships = _organisation_with_staff()
    page = new_page()
    page.set_viewport_size(PHONE)
    _log_in(page, manager.email)

    page.goto(f"/compliance/{organisation.pk}/")
    page.locator(".imh-compliance-matrix").wait_for()
    _assert_fits(page, PHONE["width"])
    _scroll_regions_are_labelled_and_focusable(page)
    page.screenshot(path=screenshot_dir / "layout-compliance-390.png", full_page=True)

    page.goto(f"/compliance/{organisation.pk}/members/{memberships[3].pk}/")
    page.get_by_role("heading", name="Mandatory training").wait_for()
    _assert_fits(page, PHONE["width"])
    _scroll_regions_are_labelled_and_focusable(page)
    assert page.locator(".imh-table-scroll table").count() >= 3
    page.screenshot(path=screenshot_dir / "layout-member-record-390.png", full_page=True)


def test_compliance_matrix_scrolls_to_its_last_column_at_1280(new_page, screenshot_dir):
    organisation, manager, _ = _organisation_with_staff()
    page = new_page()
    page.set_viewport_size(DESKTOP)
    _log_in(page, manager.email)

    page.goto(f"/compliance/{organisation.pk}/")
    matrix = page.locator(".imh-compliance-matrix")
    matrix.wait_for()
    _assert_fits(page, DESKTOP["width"])

    region = page.locator(".imh-table-scroll", has=matrix)
    assert region.get_attribute("role") == "region"
    assert region.get_attribute("tabindex") == "0"
    assert region.get_attribute("aria-labelledby") or region.get_attribute("aria-label")
    sizes = region.evaluate("(el) => [el.scrollWidth, el.clientWidth]")
    assert sizes[0] > sizes[1], "eight long course titles should need more than the page width"

    # The keyboard reaches the region and scrolls it to the last column.
    region.focus()
    page.keyboard.press("End")
    region.evaluate("(el) => { el.scrollLeft = el.scrollWidth; }")
    last = page.locator(".imh-compliance-matrix thead th").last
    assert COURSE_TITLES[-1] in last.inner_text()
    box = last.bounding_box()
    assert box is not None
    region_box = region.bounding_box()
    assert box["x"] + box["width"] <= region_box["x"] + region_box["width"] + 1
    assert box["x"] >= region_box["x"] - 1

    # The names stay in view while the columns scroll.
    name = page.locator(".imh-compliance-matrix tbody th[scope=row]").first
    name_box = name.bounding_box()
    assert name_box["x"] >= region_box["x"] - 1
    assert name_box["x"] + name_box["width"] <= region_box["x"] + region_box["width"]
    page.screenshot(path=screenshot_dir / "layout-compliance-1280.png", full_page=True)
