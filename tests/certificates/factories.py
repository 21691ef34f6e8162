"""Factories for certificates and certificate templates.

``CertificateFactory`` makes a current, valid course certificate directly (no completion
behind it: ``source_id`` is a sequence), which is what most read-side tests need. Use
``imh_certificates.services.certificate_issue`` when the issue path itself is under test.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from imh_certificates.models import Certificate, CertificateEvent, CertificateTemplate
from tests.factories import UserFactory


class CertificateTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertificateTemplate
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Template {n}")
    is_default = False
    issuer_name = "IMH Learning"
    signatory_name = "Dr Sam Carter"
    signatory_role = "Clinical lead"


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate
        skip_postgeneration_save = True

    holder = factory.SubFactory(UserFactory)
    holder_name = factory.LazyAttribute(
        lambda o: o.holder.get_full_name() or o.holder.get_username()
    )
    kind = Certificate.Kind.COURSE
    source_type = "imh_courses.coursecompletion"
    source_id = factory.Sequence(lambda n: 1_000_000 + n)
    title = "Infant mental health foundations"
    cpd_hours = Decimal("3.0")
    completed_on = factory.LazyFunction(lambda: timezone.localdate())
    competencies = factory.LazyFunction(
        lambda: [
            {
                "framework": "IMH competency framework",
                "code": "IMH-1.1",
                "name": "Attunement",
                "level": 1,
                "level_label": "Awareness",
            }
        ]
    )
    sessions = factory.LazyFunction(list)
    issuer_name = "IMH Learning"
    signatory_name = "Dr Sam Carter"
    signatory_role = "Clinical lead"
    issued_at = factory.LazyFunction(timezone.now)
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=365))
    status = Certificate.Status.VALID

    @factory.post_generation
    def issued_event(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            CertificateEvent.objects.create(
                certificate=obj, action=CertificateEvent.Action.ISSUED, at=obj.issued_at
            )
