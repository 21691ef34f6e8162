"""The demo's external programme directory: four programmes mapped to the sample framework.

Three are approved and one is still under review; the demo trainee has claimed one. The
programmes, providers and descriptions are written for the demo: they describe the kinds of
training the directory is for, not any provider's real course, dates or content. Safe to run
again: nothing is duplicated.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from imh_competencies.models import Competency, ExternalLearning, ExternalProgramme, Framework
from imh_competencies.services import programme_claim, programme_create, programme_review

Format = ExternalProgramme.Format

PROGRAMMES: list[dict] = [
    {
        "title": "Understanding your baby: foundation training (demo)",
        "provider": "Solihull Approach (demo listing)",
        "description": (
            "Two days for practitioners on containment, reciprocity and behaviour management "
            "as a relationship-based model. A demo listing: check the provider's own site for "
            "real courses."
        ),
        "url": "",
        "level": 1,
        "format": Format.FACE_TO_FACE,
        "typical_hours": "12",
        "participatory": True,
        "mappings": [("IDR2", 1), ("ACG1", 1), ("ACG2", 1), ("WWF1", 1)],
        "approved": True,
    },
    {
        "title": "Newborn Behavioural Observations: an introduction (demo)",
        "provider": "Brazelton Centre UK (demo listing)",
        "description": (
            "An introduction to observing a newborn's behaviour with the parents, to help them "
            "understand their baby's cues. A demo listing."
        ),
        "url": "",
        "level": 2,
        "format": Format.BLENDED,
        "typical_hours": "14",
        "participatory": True,
        "mappings": [("IDR2", 2), ("OBA1", 2), ("WWF1", 2)],
        "approved": True,
    },
    {
        "title": "Infant mental health conference day (demo)",
        "provider": "Regional infant mental health network (demo)",
        "description": (
            "A day of talks and workshops on parent-infant relationships, fathers and "
            "reflective supervision. A demo listing."
        ),
        "url": "",
        "level": 1,
        "format": Format.CONFERENCE,
        "typical_hours": "6",
        "participatory": True,
        "mappings": [("IDR1", 1), ("WWF3", 1), ("RPS1", 1)],
        "approved": True,
    },
    {
        "title": "Perinatal mental health e-learning module (demo)",
        "provider": "Demo e-learning provider",
        "description": (
            "A self-paced module on recognising perinatal mental health needs and signposting. "
            "Still under review in the demo: it is not in the trainees' directory."
        ),
        "url": "",
        "level": 1,
        "format": Format.SELF_STUDY,
        "typical_hours": "2",
        "participatory": False,
        "mappings": [("PMH1", 1), ("PMH3", 1)],
        "approved": False,
    },
]

CLAIMED_TITLE = PROGRAMMES[2]["title"]


def _programme(spec: dict, *, framework: Framework, codes: dict[str, Competency], educator):
    existing = ExternalProgramme.objects.filter(
        title=spec["title"], provider=spec["provider"]
    ).first()
    if existing is not None:
        return existing
    programme = programme_create(
        actor=educator,
        title=spec["title"],
        provider=spec["provider"],
        description=spec["description"],
        url=spec["url"],
        framework=framework,
        level=spec["level"],
        format=spec["format"],
        typical_hours=spec["typical_hours"],
        participatory=spec["participatory"],
        mappings=[(codes[code], level) for code, level in spec["mappings"]],
    )
    if spec["approved"] and educator is not None:
        programme = programme_review(
            programme=programme,
            actor=educator,
            approve=True,
            notes="Mapping checked against the sample framework for the demo.",
        )
    return programme


@transaction.atomic
def demo_programmes_load(*, framework: Framework, educator=None, trainee=None) -> None:
    """Add the demo programmes and, for the demo trainee, a claim of the conference day."""
    codes = {c.code: c for c in Competency.objects.filter(framework=framework)}
    programmes = {
        spec["title"]: _programme(spec, framework=framework, codes=codes, educator=educator)
        for spec in PROGRAMMES
    }
    claimed = programmes[CLAIMED_TITLE]
    if (
        trainee is not None
        and claimed.is_approved
        and not ExternalLearning.objects.filter(user=trainee, programme=claimed).exists()
    ):
        programme_claim(
            user=trainee,
            programme=claimed,
            completed_on=timezone.localdate() - datetime.timedelta(days=21),
        )
