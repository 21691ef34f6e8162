"""Demo entries on the recognition register: two practitioners already recognised.

Jo Williams (the trust's manager) is listed on the public register; Chris Evans (the
nursery's manager) is listed too, with recognition that ends within the renewal window, so
their recognition page offers "Apply to renew". Idempotent: each is made once, by
person and scheme. Schemes are shared with the applications demo (one per framework level).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from imh_certificates.models import code_generate
from imh_competencies.models import Framework
from imh_recognition.models import Application, AreaOfPractice, Recognition, Region, Scheme


def _scheme(framework: Framework, level: int) -> Scheme:
    label = framework.level_label(level)
    scheme, _ = Scheme.objects.get_or_create(
        framework=framework,
        level=level,
        defaults={
            "title": f"Recognised infant mental health practitioner: {label.lower()}",
            "description": "Recognition of infant mental health practice at this level.",
        },
    )
    return scheme


def _recognition(
    *,
    person,
    scheme: Scheme,
    granted_on: datetime.date,
    valid_until: datetime.date,
    area_of_practice: str,
    region: str,
    assessor,
) -> Recognition:
    existing = Recognition.objects.filter(person=person, scheme=scheme).first()
    if existing is not None:
        return existing
    # Decided by the demo assessor on the day it was granted, sent a fortnight before.
    decided = timezone.make_aware(datetime.datetime.combine(granted_on, datetime.time(11, 0)))
    application = Application.objects.create(
        applicant=person,
        scheme=scheme,
        area_of_practice=area_of_practice,
        region=region,
        statement="Demo application, approved when the demo was loaded.",
        status=Application.Status.APPROVED,
        submitted_at=decided - datetime.timedelta(days=14),
        decided_at=decided,
        decided_by=assessor,
        decision_reason="Demo recognition.",
        public_consent_requested=True,
    )
    return Recognition.objects.create(
        person=person,
        scheme=scheme,
        application=application,
        level=scheme.level,
        code=code_generate(),
        area_of_practice=area_of_practice,
        region=region,
        display_name=person.get_full_name() or person.get_username(),
        granted_on=granted_on,
        valid_until=valid_until,
        public=True,
        public_changed_at=decided,
    )


def demo_register_load(
    *, framework: Framework, manager, nursery, assessor=None
) -> list[Recognition]:
    today = timezone.localdate()
    levels = len(framework.levels)
    return [
        _recognition(
            person=manager,
            scheme=_scheme(framework, min(2, levels)),
            granted_on=today - datetime.timedelta(days=200),
            valid_until=today + datetime.timedelta(days=3 * 365 - 200),
            area_of_practice=AreaOfPractice.HEALTH_VISITING,
            region=Region.NORTH_WEST,
            assessor=assessor,
        ),
        _recognition(
            person=nursery,
            scheme=_scheme(framework, 1),
            granted_on=today - datetime.timedelta(days=3 * 365 - 45),
            valid_until=today + datetime.timedelta(days=45),
            area_of_practice=AreaOfPractice.EARLY_YEARS,
            region=Region.NORTH_WEST,
            assessor=assessor,
        ),
    ]
