"""Demo applications for recognition: a scheme per framework level and one to review.

Priya Shah (the trust's health visitor) has sent an application for the first level, so the
demo assessor (Morgan Hughes, in the recognition assessors' group) has one waiting in the
admin. The practitioners already on the register come from ``cms/demo_register.py``, which
shares these schemes. Idempotent: schemes by framework and level, the observation by its
setting, the application by person and scheme.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from imh_competencies.models import Competency, Framework, Observation
from imh_competencies.services import observation_record
from imh_core.conf import imh_setting
from imh_recognition import services
from imh_recognition.models import Application, AreaOfPractice, Region, Scheme

# Per level: (competencies to evidence (0 = all), supervision hours, reliability required).
REQUIREMENTS = {
    1: (3, Decimal("0"), False),
    2: (6, Decimal("6"), True),
    3: (0, Decimal("12"), True),
}
OBSERVATION_SETTING = "Baby clinic: feeding and sleep review"
OBSERVED = ("IDR1", "ACG1", "PMH1")


def _schemes(framework: Framework) -> list[Scheme]:
    schemes = []
    for level, label in framework.level_choices:
        minimum, hours, reliability = REQUIREMENTS.get(level, (0, Decimal("12"), True))
        scheme, _ = Scheme.objects.get_or_create(
            framework=framework,
            level=level,
            defaults={
                "title": f"Recognised infant mental health practitioner: {label.lower()}",
                "description": "Recognition of infant mental health practice at this level.",
                "min_competencies_evidenced": minimum,
                "min_supervision_hours": hours,
                "reliability_required": reliability,
            },
        )
        schemes.append(scheme)
    return schemes


def _observation(framework: Framework, *, educator, trainee) -> None:
    if Observation.objects.filter(trainee=trainee, setting=OBSERVATION_SETTING).exists():
        return
    competencies = Competency.objects.filter(framework=framework, code__in=OBSERVED)
    observation_record(
        observer=educator,
        trainee=trainee,
        framework=framework,
        observed_on=timezone.localdate() - datetime.timedelta(days=14),
        setting=OBSERVATION_SETTING,
        ratings=[(competency.pk, 1, "met") for competency in competencies],
        comments="Warm, unhurried and led by the baby's cues throughout.",
    )


def _application(scheme: Scheme, *, trainee) -> Application:
    existing = Application.objects.filter(applicant=trainee, scheme=scheme).first()
    if existing is not None:
        return existing
    application = services.application_start(applicant=trainee, scheme=scheme)
    services.application_update(
        application=application,
        applicant=trainee,
        area_of_practice=AreaOfPractice.HEALTH_VISITING,
        region=Region.NORTH_WEST,
        statement=(
            "I am a health visitor in a busy community team. I see families from the antenatal "
            "contact to the two-year review and use every visit to notice and talk about how "
            "parents and babies are getting to know each other."
        ),
        public_consent_requested=True,
    )
    return services.application_submit(application=application, applicant=trainee)


def demo_recognition_load(*, framework: Framework, educator, trainee, assessor) -> Application:
    group_name = imh_setting("IMH_RECOGNITION_ASSESSORS_GROUP")
    if group_name:
        assessor.groups.add(Group.objects.get_or_create(name=group_name)[0])
    schemes = _schemes(framework)
    _observation(framework, educator=educator, trainee=trainee)
    return _application(schemes[0], trainee=trainee)
