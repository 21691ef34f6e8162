"""Applying for recognition: starting, gathering evidence, editing, submitting, withdrawing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from imh_competencies.models import Evidence
from imh_recognition import evidence as evidence_sources
from imh_recognition import selectors, services
from imh_recognition.models import Application, EvidenceItem
from tests.factories import UserFactory
from tests.recognition.factories import (
    add_evidence,
    make_assessor,
    make_framework_scheme,
    ready_fields,
)

pytestmark = pytest.mark.django_db


def _ready(application, applicant, **overrides):
    return services.application_update(
        application=application, applicant=applicant, **{**ready_fields(), **overrides}
    )


def test_start_gathers_met_evidence_at_or_above_the_level():
    scheme, (first, second, third) = make_framework_scheme(level=2)
    applicant = UserFactory()
    add_evidence(applicant, first, level=2, title="Observed at level 2")
    add_evidence(applicant, second, level=3, title="Course at level 3", kind=Evidence.Kind.COURSE)
    add_evidence(applicant, third, level=1, title="Too low")
    add_evidence(applicant, third, level=2, title="Not yet", outcome=Evidence.Outcome.NOT_YET)
    add_evidence(applicant, third, level=2, kind=Evidence.Kind.SELF_ASSESSMENT, title="Self")
    add_evidence(UserFactory(), third, level=2, title="Someone else's")

    application = services.application_start(applicant=applicant, scheme=scheme)

    titles = set(application.evidence_items.values_list("title", flat=True))
    assert titles == {"Observed at level 2", "Course at level 3"}
    assert application.status == Application.Status.DRAFT
    requirements = selectors.application_requirements(application=application)
    assert (requirements.competencies_evidenced, requirements.competencies_needed) == (2, 3)
    assert not requirements.all_met


def test_start_refuses_a_closed_scheme_and_a_second_open_application():
    scheme, _ = make_framework_scheme(open=False)
    with pytest.raises(ValidationError, match="not open"):
        services.application_start(applicant=UserFactory(), scheme=scheme)

    scheme.open = True
    scheme.save()
    applicant = UserFactory()
    services.application_start(applicant=applicant, scheme=scheme)
    with pytest.raises(ValidationError, match="already have an open application"):
        services.application_start(applicant=applicant, scheme=scheme)


def test_database_allows_one_open_application_per_person_and_scheme():
    scheme, _ = make_framework_scheme()
    applicant = UserFactory()
    Application.objects.create(applicant=applicant, scheme=scheme)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(applicant=applicant, scheme=scheme)


def test_database_needs_a_reason_to_decline():
    scheme, _ = make_framework_scheme()
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            applicant=UserFactory(),
            scheme=scheme,
            status=Application.Status.DECLINED,
            submitted_at=timezone.now(),
            decided_at=timezone.now(),
        )


def test_excluded_items_stay_excluded_after_refresh_and_do_not_count():
    scheme, competencies = make_framework_scheme(competencies=2)
    applicant = UserFactory()
    for competency in competencies:
        add_evidence(applicant, competency)
    application = services.application_start(applicant=applicant, scheme=scheme)
    left_out = application.evidence_items.get(competency=competencies[0])

    _ready(application, applicant, excluded_item_ids=[left_out.pk])
    services.application_refresh_evidence(application=application)

    item = application.evidence_items.get(competency=competencies[0])
    assert item.included is False
    assert selectors.application_requirements(application=application).competencies_evidenced == 1


def test_competency_statements_are_saved_and_removed_when_emptied():
    scheme, (first, *_) = make_framework_scheme()
    applicant = UserFactory()
    application = services.application_start(applicant=applicant, scheme=scheme)
    _ready(application, applicant, competency_statements={first.pk: "I model attunement."})
    assert application.competency_statements.get().text == "I model attunement."
    _ready(application, applicant, competency_statements={first.pk: "  "})
    assert not application.competency_statements.exists()


def test_statement_for_another_frameworks_competency_is_refused():
    scheme, _ = make_framework_scheme()
    _, (foreign, *_) = make_framework_scheme()
    applicant = UserFactory()
    application = services.application_start(applicant=applicant, scheme=scheme)
    with pytest.raises(ValidationError, match="not part of this scheme"):
        _ready(application, applicant, competency_statements={foreign.pk: "Text"})


def test_only_the_applicant_may_change_or_submit():
    scheme, _ = make_framework_scheme()
    applicant = UserFactory()
    application = services.application_start(applicant=applicant, scheme=scheme)
    with pytest.raises(PermissionDenied):
        _ready(application, UserFactory())
    with pytest.raises(PermissionDenied):
        services.application_submit(application=application, applicant=UserFactory())


def test_submit_needs_the_applicants_details_and_the_requirements():
    scheme, competencies = make_framework_scheme(
        competencies=2, min_competencies_evidenced=2, min_supervision_hours=Decimal("3")
    )
    applicant = UserFactory()
    add_evidence(applicant, competencies[0])
    application = services.application_start(applicant=applicant, scheme=scheme)

    with pytest.raises(ValidationError) as missing:
        services.application_submit(application=application, applicant=applicant)
    assert set(missing.value.error_dict) == {"area_of_practice", "region", "statement"}

    _ready(application, applicant)
    with pytest.raises(ValidationError) as unmet:
        services.application_submit(application=application, applicant=applicant)
    text = " ".join(unmet.value.messages)
    assert "at least 2 competencies" in text
    assert "At least 3 hours of reflective supervision are needed; you have 0 hours." in text
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


def test_supervision_hours_and_reliability_come_from_their_apps(monkeypatch):
    scheme, (competency, *_) = make_framework_scheme(
        competencies=1, min_supervision_hours=Decimal("2"), reliability_required=True
    )
    applicant = UserFactory()
    add_evidence(applicant, competency)
    sessions = [
        evidence_sources.Gathered(
            kind="supervision",
            title="One-to-one reflective supervision",
            hours=Decimal("1.5"),
            occurred_on=datetime.date(2026, 1, day),
            source_type="imh_supervision.supervisionsession",
            source_id=day,
        )
        for day in (5, 19)
    ]
    monkeypatch.setattr(evidence_sources, "_supervision", lambda user, since: sessions)
    monkeypatch.setattr(evidence_sources, "_reliability", lambda user, since: [])
    application = services.application_start(applicant=applicant, scheme=scheme)
    requirements = selectors.application_requirements(application=application)
    assert requirements.supervision_hours == Decimal("3.0")
    assert requirements.supervision_met
    assert not requirements.reliability_met

    result = evidence_sources.Gathered(
        kind="reliability",
        title="PIIOS screening",
        source_type="imh_reliability.attempt",
        source_id=1,
    )
    monkeypatch.setattr(evidence_sources, "_reliability", lambda user, since: [result])
    services.application_refresh_evidence(application=application)
    assert selectors.application_requirements(application=application).all_met


def test_submit_snapshots_evidence_and_emails_assessors(django_capture_on_commit_callbacks):
    scheme, competencies = make_framework_scheme(competencies=1)
    applicant = UserFactory()
    assessor = make_assessor(email="assessor@example.org")
    application = services.application_start(applicant=applicant, scheme=scheme)
    add_evidence(applicant, competencies[0], title="Added after starting")
    _ready(application, applicant)

    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, applicant=applicant)

    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.submitted_at is not None
    assert application.evidence_items.filter(title="Added after starting").exists()
    assert [m.to for m in mail.outbox] == [[assessor.email]]
    assert "applied for" in mail.outbox[0].body


def test_a_submitted_application_cannot_be_changed_but_can_be_withdrawn():
    scheme, competencies = make_framework_scheme(competencies=1)
    applicant = UserFactory()
    add_evidence(applicant, competencies[0])
    application = services.application_start(applicant=applicant, scheme=scheme)
    _ready(application, applicant)
    services.application_submit(application=application, applicant=applicant)

    with pytest.raises(ValidationError, match="can no longer be changed"):
        _ready(application, applicant)
    services.application_withdraw(application=application, applicant=applicant)
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
    with pytest.raises(ValidationError, match="Only an open application"):
        services.application_withdraw(application=application, applicant=applicant)
    # Withdrawn, the person may start again.
    services.application_start(applicant=applicant, scheme=scheme)


def test_certificates_count_for_the_competencies_they_name():
    from imh_certificates.models import Certificate

    scheme, (first, second, _) = make_framework_scheme()
    applicant = UserFactory()
    Certificate.objects.create(
        holder=applicant,
        holder_name="A",
        source_type="tests.completion",
        source_id=1,
        title="Foundations course",
        cpd_hours=Decimal("6"),
        completed_on=timezone.localdate(),
        competencies=[
            {"framework": str(scheme.framework), "code": first.code, "level": 1},
            {"framework": "Another framework", "code": second.code, "level": 1},
        ],
        issuer_name="Issuer",
    )
    Certificate.objects.create(
        holder=applicant,
        holder_name="A",
        source_type="tests.completion",
        source_id=2,
        title="Revoked course",
        cpd_hours=Decimal("1"),
        completed_on=timezone.localdate(),
        issuer_name="Issuer",
        status=Certificate.Status.REVOKED,
        revoked_reason="Issued in error",
    )
    application = services.application_start(applicant=applicant, scheme=scheme)
    items = list(application.evidence_items.filter(kind=EvidenceItem.Kind.CERTIFICATE))
    assert [(item.title, item.competency_id) for item in items] == [
        ("Foundations course", first.pk)
    ]
    assert items[0].url.startswith("/verify/")
