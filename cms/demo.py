"""The demo's people, organisations and pages: written by the team, loaded idempotently."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "imh-demo-password"  # noqa: S105 - printed for the demo on purpose


@dataclass(frozen=True)
class DemoUser:
    key: str
    email: str
    first_name: str
    last_name: str
    role: str
    job_title: str
    description: str


DEMO_USERS = (
    DemoUser(
        "trainee",
        "trainee@example.org",
        "Priya",
        "Shah",
        "health_visitor",
        "Health visitor",
        "Trainee: a health visitor at the demo NHS trust",
    ),
    DemoUser(
        "educator",
        "educator@example.org",
        "Sam",
        "Okafor",
        "psychologist",
        "Clinical psychologist and IMH educator",
        "Educator: authors courses; supervises the demo trainee",
    ),
    DemoUser(
        "manager",
        "manager@example.org",
        "Jo",
        "Williams",
        "health_visitor",
        "Health visiting team lead",
        "Employer manager of the demo NHS trust",
    ),
    DemoUser(
        "nursery",
        "nursery@example.org",
        "Chris",
        "Evans",
        "nursery_nurse",
        "Nursery manager",
        "Employer manager of the demo nursery",
    ),
    DemoUser(
        "newstarter",
        "newstarter@example.org",
        "Lee",
        "Carter",
        "nursery_nurse",
        "Nursery nurse",
        "Trainee who has asked to join the demo nursery (awaiting approval)",
    ),
    DemoUser(
        "assessor",
        "assessor@example.org",
        "Morgan",
        "Hughes",
        "psychologist",
        "IMH recognition assessor",
        "Assessor: reviews applications to the recognition register",
    ),
    DemoUser(
        "admin",
        "admin@example.org",
        "Ada",
        "Admin",
        "other",
        "Platform administrator",
        "Platform admin: everything in the Wagtail admin",
    ),
)

HOME_BODY = [
    ("heading", {"text": "Training for everyone who works with babies", "level": "h2"}),
    (
        "text",
        "<p>Babies' earliest relationships shape their lifelong mental health. This platform "
        "brings together the infant mental health training that midwives, health visitors, "
        "nursery staff, children's centre and perinatal mental health teams need: online "
        "lessons and activities you can do at your own pace, and live workshops, observed "
        "practice and group supervision with experienced educators.</p>",
    ),
    (
        "card_group",
        {
            "column": "one-third",
            "body": [
                (
                    "card_basic",
                    {
                        "heading": "Learn online and together",
                        "heading_level": 3,
                        "heading_size": "",
                        "body": "<p>Short modules with interactive activities and quizzes, "
                        "alongside live sessions you book into.</p>",
                    },
                ),
                (
                    "card_basic",
                    {
                        "heading": "Show your competence",
                        "heading_level": 3,
                        "heading_size": "",
                        "body": "<p>Everything you complete is evidence against an IMH "
                        "competency framework, at the level you work at.</p>",
                    },
                ),
                (
                    "card_basic",
                    {
                        "heading": "Certificates anyone can check",
                        "heading_level": 3,
                        "heading_size": "",
                        "body": "<p>CPD certificates carry a code and QR code that employers "
                        "verify online.</p>",
                    },
                ),
            ],
        },
    ),
    ("heading", {"text": "For employers", "level": "h2"}),
    (
        "text",
        "<p>Managers in NHS trusts, local authorities and nurseries invite their staff, see "
        "who has completed mandatory training, and verify any certificate by its code.</p>",
    ),
    (
        "inset_text",
        {
            "body": "<p>This is a demonstration site. The people, organisations and courses "
            "in it are made up.</p>"
        },
    ),
]

ACCESSIBILITY_BODY = [
    (
        "text",
        "<p>This platform is built with the NHS.UK design system and aims to meet the Web "
        "Content Accessibility Guidelines (WCAG) 2.2 at level AA. Every page works without "
        "JavaScript except interactive H5P activities.</p>"
        "<p>If you find something you cannot use, email the support address in the footer and "
        "tell us the page and what happened. We reply within 5 working days.</p>",
    ),
]
