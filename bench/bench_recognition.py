"""The public recognition register and person-level verification, with a national register.

Targets (issue 14, set here): with 20,000 recognitions on the register, a page of the
register, a name search and a filtered search each have a median under 100 ms and a number
of queries that does not grow with the register; checking a code (page and API) has a
median under 15 ms and at most 2 queries, like certificates. The rate limits are raised for
the run; their cache counting is still timed.
"""

from __future__ import annotations

import datetime
import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from bench.harness import Result, measure
from imh_certificates.models import code_generate
from imh_competencies.models import Framework
from imh_recognition.models import Application, AreaOfPractice, Recognition, Region, Scheme

ENTRIES = 20_000
TARGET_REGISTER = "median < 100 ms, constant queries"
TARGET_VERIFY = "median < 15 ms, <= 2 queries"
USERNAME_PREFIX = "bench-recognition-"
UNUSABLE_PASSWORD = "!bench-no-login"  # noqa: S105 - "!" marks a password nobody can use
FIRST_NAMES = ["Amira", "Ben", "Chloe", "Dev", "Ella", "Femi", "Grace", "Hari", "Isla", "Jon"]
LAST_NAMES = ["Ahmed", "Brown", "Clarke", "Davies", "Evans", "Forde", "Green", "Hughes", "Shah"]


def _scheme() -> Scheme:
    framework, _ = Framework.objects.get_or_create(
        slug="bench-recognition-framework",
        defaults={
            "name": "Benchmark IMH framework",
            "levels": ["Foundation", "Practitioner", "Specialist"],
        },
    )
    scheme, _ = Scheme.objects.get_or_create(
        framework=framework, level=2, defaults={"title": "Recognised practitioner (benchmark)"}
    )
    return scheme


@transaction.atomic
def _register(scheme: Scheme) -> str:
    """ENTRIES people on the register (made once, kept with the benchmark database)."""
    existing = Recognition.objects.filter(scheme=scheme).order_by("pk").first()
    if existing is not None:
        return existing.code
    User = get_user_model()
    users = User.objects.bulk_create(
        User(
            username=f"{USERNAME_PREFIX}{number}",
            email=f"{USERNAME_PREFIX}{number}@example.org",
            first_name=FIRST_NAMES[number % len(FIRST_NAMES)],
            last_name=LAST_NAMES[(number // len(FIRST_NAMES)) % len(LAST_NAMES)],
            password=UNUSABLE_PASSWORD,
        )
        for number in range(ENTRIES)
    )
    now = timezone.now()
    applications = Application.objects.bulk_create(
        Application(
            applicant=user,
            scheme=scheme,
            kind=Application.Kind.NEW,
            status=Application.Status.APPROVED,
            submitted_at=now,
            decided_at=now,
            public_consent_requested=True,
        )
        for user in users
    )
    today = timezone.localdate()
    areas = [value for value, _label in AreaOfPractice.choices]
    regions = [value for value, _label in Region.choices]
    recognitions = Recognition.objects.bulk_create(
        Recognition(
            person=user,
            scheme=scheme,
            application=application,
            level=scheme.level,
            code=code_generate(),
            area_of_practice=areas[number % len(areas)],
            region=regions[number % len(regions)],
            display_name=f"{user.first_name} {user.last_name} {number}",
            granted_on=today - datetime.timedelta(days=number % 900),
            valid_until=today + datetime.timedelta(days=200 + number % 700),
            # Most consent to be listed; some do not, and are still verifiable.
            public=number % 10 != 0,
        )
        for number, (user, application) in enumerate(zip(users, applications, strict=True))
    )
    return recognitions[len(recognitions) // 2].code


def run() -> list[Result]:
    logging.getLogger("django.request").setLevel(logging.ERROR)
    scheme = _scheme()
    code = _register(scheme)
    client = Client()
    register = "/recognition/register/"
    searches = {
        "register, first page": register,
        "register, name search": f"{register}?q=grace+shah",
        "register, area, region": f"{register}?area={AreaOfPractice.choices[1][0]}"
        f"&region={Region.choices[2][0]}&page=3",
    }
    page_url, api_url = f"/recognition/verify/{code}/", f"/api/v1/recognitions/{code}/"
    settings = {
        "IMH_RECOGNITION_VERIFY_RATE_LIMIT": 10**9,
        "IMH_RECOGNITION_VERIFY_API_RATE_LIMIT": 10**9,
    }
    with override_settings(**settings):
        for url in [*searches.values(), page_url, api_url]:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        results = [
            measure(
                f"recognition {name} ({ENTRIES // 1000}k)",
                lambda url=url: client.get(url),
                target=TARGET_REGISTER,
            )
            for name, url in searches.items()
        ]
        results += [
            measure(
                "recognition verification page",
                lambda: client.get(page_url),
                target=TARGET_VERIFY,
            ),
            measure(
                "recognition verification API",
                lambda: client.get(api_url),
                target=TARGET_VERIFY,
            ),
        ]
    return results
