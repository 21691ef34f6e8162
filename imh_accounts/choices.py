"""Choice lists for profiles: professional roles and the bodies that register them."""

from __future__ import annotations

from django.db import models


class ProfessionalRole(models.TextChoices):
    MIDWIFE = "midwife", "Midwife"
    STUDENT_MIDWIFE = "student_midwife", "Student midwife"
    HEALTH_VISITOR = "health_visitor", "Health visitor"
    NURSERY_NURSE = "nursery_nurse", "Nursery nurse or early years practitioner"
    CHILDRENS_CENTRE_WORKER = "childrens_centre_worker", "Children's centre worker"
    PERINATAL_MENTAL_HEALTH_PRACTITIONER = (
        "perinatal_mental_health_practitioner",
        "Perinatal mental health practitioner",
    )
    PSYCHOLOGIST = "psychologist", "Psychologist or psychotherapist"
    OTHER = "other", "Other"


class RegistrationBody(models.TextChoices):
    NMC = "nmc", "Nursing and Midwifery Council (NMC)"
    HCPC = "hcpc", "Health and Care Professions Council (HCPC)"
    SOCIAL_WORK_ENGLAND = "swe", "Social Work England"
    GMC = "gmc", "General Medical Council (GMC)"
    OTHER = "other", "Other"


# Midwives and health visitors are registered by the NMC; students are held to the same rule
# so a number entered during training is the one that carries on after qualifying.
NMC_ONLY_ROLES: frozenset[str] = frozenset(
    {
        ProfessionalRole.MIDWIFE,
        ProfessionalRole.STUDENT_MIDWIFE,
        ProfessionalRole.HEALTH_VISITOR,
    }
)
