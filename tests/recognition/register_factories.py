"""Recognitions made straight in the database, for the register and renewal tests."""

from __future__ import annotations

import datetime

from django.utils import timezone

from imh_certificates.models import code_generate
from imh_recognition.models import Application, Recognition, Scheme
from tests.competencies.factories import FrameworkFactory
from tests.factories import UserFactory


def make_scheme(*, level: int = 2, title: str | None = None, framework=None, **fields) -> Scheme:
    framework = framework or FrameworkFactory(levels=["Foundation", "Practitioner", "Specialist"])
    return Scheme.objects.create(
        framework=framework,
        level=level,
        title=title or f"Recognised {framework.level_label(level).lower()}",
        **fields,
    )


def make_recognition(
    *,
    person=None,
    scheme: Scheme | None = None,
    name: str = "Priya Shah",
    public: bool = True,
    status: str = Recognition.Status.ACTIVE,
    granted_on: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    area_of_practice: str = "health_visiting",
    region: str = "north_west",
    renews: Recognition | None = None,
    **fields,
) -> Recognition:
    scheme = scheme or make_scheme()
    first, _, last = name.partition(" ")
    person = person or UserFactory(first_name=first, last_name=last)
    today = timezone.localdate()
    granted_on = granted_on or today - datetime.timedelta(days=100)
    valid_until = valid_until or granted_on + datetime.timedelta(days=3 * 365)
    now = timezone.now()
    application = Application.objects.create(
        applicant=person,
        scheme=scheme,
        kind=Application.Kind.RENEWAL if renews else Application.Kind.NEW,
        renews=renews,
        area_of_practice=area_of_practice,
        region=region,
        status=Application.Status.APPROVED,
        submitted_at=now,
        decided_at=now,
        public_consent_requested=public,
    )
    if status == Recognition.Status.REVOKED:
        fields.setdefault("revoked_reason", "Evidence could not be confirmed.")
        fields.setdefault("revoked_at", now)
    return Recognition.objects.create(
        person=person,
        scheme=scheme,
        application=application,
        level=scheme.level,
        code=code_generate(),
        area_of_practice=area_of_practice,
        region=region,
        display_name=name,
        granted_on=granted_on,
        valid_until=valid_until,
        status=status,
        public=public,
        **fields,
    )


def make_assessor(**kwargs):
    """A user in the recognition assessors' group (made by the app's post-migrate step)."""
    from django.contrib.auth.models import Group

    from imh_recognition.roles import assessors_group_name

    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=assessors_group_name()))
    return user
