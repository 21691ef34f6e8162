"""Certificate verification: the public page (the QR target) and the JSON API.

Target (issue 5): median under 15 ms and at most 2 queries for a valid code. The rate
limits are raised for the run (their cache counting is still timed), and a not-found code
is timed too, to show that a malformed code costs the same as an unknown one.
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

from django.test import Client, override_settings
from django.utils import timezone

from bench.harness import Result, measure
from imh_certificates.models import Certificate
from tests.factories import UserFactory

TARGET = "median < 15 ms, <= 2 queries"


def _certificate() -> Certificate:
    holder = UserFactory(username="bench-certificate-holder")
    certificate, _ = Certificate.objects.get_or_create(
        source_type="bench.verification",
        source_id=1,
        defaults={
            "holder": holder,
            "holder_name": "Priya Shah",
            "title": "Infant mental health foundations",
            "cpd_hours": Decimal("6.0"),
            "completed_on": timezone.localdate(),
            "expires_on": timezone.localdate() + datetime.timedelta(days=3 * 365),
            "issuer_name": "IMH Learning",
            "signatory_name": "Dr Sam Carter",
            "signatory_role": "Clinical lead",
            "competencies": [
                {
                    "framework": "IMH competency framework",
                    "code": f"IMH-1.{n}",
                    "name": f"Competency {n}",
                    "level": 2,
                    "level_label": "Practitioner",
                }
                for n in range(1, 9)
            ],
            "sessions": [{"title": "Live case discussion", "date": "2026-02-20"}],
        },
    )
    return certificate


def run() -> list[Result]:
    # Every not-found is logged as a warning; a few hundred of them would bury the table.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    code = _certificate().code
    client = Client()
    page_url, api_url = f"/verify/{code}/", f"/api/v1/certificates/{code}/"
    with override_settings(IMH_VERIFY_RATE_LIMIT=10**9, IMH_VERIFY_API_RATE_LIMIT=10**9):
        assert client.get(page_url).status_code == 200
        assert client.get(api_url).status_code == 200
        return [
            measure("verification page, valid code", lambda: client.get(page_url), target=TARGET),
            measure("verification API, valid code", lambda: client.get(api_url), target=TARGET),
            measure(
                "verification API, malformed code",
                lambda: client.get("/api/v1/certificates/not-a-code/"),
            ),
            measure(
                "verification API, unknown code",
                lambda: client.get("/api/v1/certificates/XXXX-XXXX-XXXX-XXXX-XXXX/"),
            ),
            measure(
                "verification page, unknown code",
                lambda: client.get("/verify/XXXX-XXXX-XXXX-XXXX-XXXX/"),
            ),
            measure(
                "verification page, malformed code",
                lambda: client.get("/verify/not-a-code/"),
            ),
        ]
