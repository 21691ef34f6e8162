"""Choice lists for profiles: professional roles and the bodies that register them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProfessionalRole(models.TextChoices):
    MIDWIFE = "midwife", _("Midwife")
    STUDENT_MIDWIFE = "student_midwife", _("Student midwife")
    HEALTH_VISITOR = "health_visitor", _("Health visitor")
    NURSERY_NURSE = "nursery_nurse", _("Nursery nurse or early years practitioner")
    CHILDRENS_CENTRE_WORKER = "childrens_centre_worker", _("Children's centre worker")
    PERINATAL_MENTAL_HEALTH_PRACTITIONER = (
        "perinatal_mental_health_practitioner",
        _("Perinatal mental health practitioner"),
    )
    PSYCHOLOGIST = "psychologist", _("Psychologist or psychotherapist")
    OTHER = "other", _("Other")


class RegistrationBody(models.TextChoices):
    NMC = "nmc", _("Nursing and Midwifery Council (NMC)")
    HCPC = "hcpc", _("Health and Care Professions Council (HCPC)")
    SOCIAL_WORK_ENGLAND = "swe", _("Social Work England")
    GMC = "gmc", _("General Medical Council (GMC)")
    OTHER = "other", _("Other")


# Midwives and health visitors are registered by the NMC; students are held to the same rule
# so a number entered during training is the one that carries on after qualifying.
NMC_ONLY_ROLES: frozenset[str] = frozenset(
    {
        ProfessionalRole.MIDWIFE,
        ProfessionalRole.STUDENT_MIDWIFE,
        ProfessionalRole.HEALTH_VISITOR,
    }
)
