"""Assessors review applications: ask for more, approve, decline, notes; the applicant's side."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from imh_certificates.models import code_normalise
from imh_recognition import services
from imh_recognition.models import Application, Message, Recognition
from tests.factories import UserFactory
from tests.recognition.factories import (
    add_evidence,
    make_assessor,
    make_framework_scheme,
    ready_fields,
)

pytestmark = pytest.mark.django_db


def submitted_application(*, applicant=None, scheme=None, **start):
    if scheme is None:
        scheme, competencies = make_framework_scheme(competencies=1)
    else:
        competencies = list(scheme.framework.competencies.all())
    applicant = applicant or UserFactory(first_name="Priya", last_name="Shah")
    for competency in competencies:
        add_evidence(applicant, competency)
    application = services.application_start(applicant=applicant, scheme=scheme, **start)
    services.application_update(application=application, applicant=applicant, **ready_fields())
    services.application_submit(application=application, applicant=applicant)
    application.refresh_from_db()
    return application


def test_ask_for_more_then_answer_sends_it_back(django_capture_on_commit_callbacks):
    application = submitted_application()
    assessor = make_assessor()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_request_more(
            application=application, assessor=assessor, text="Add your supervision log."
        )
    application.refresh_from_db()
    assert application.status == Application.Status.MORE_INFO
    assert mail.outbox[-1].to == [application.applicant.email]
    assert "Add your supervision log." in mail.outbox[-1].body

    with pytest.raises(ValidationError):
        services.application_respond(
            application=application, applicant=application.applicant, text=" "
        )
    services.application_respond(
        application=application, applicant=application.applicant, text="Added it."
    )
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert list(application.messages.values_list("kind", flat=True)) == ["request", "response"]


def test_approve_grants_recognition_with_a_code_and_consent(django_capture_on_commit_callbacks):
    application = submitted_application()
    assessor = make_assessor()
    with (
        time_machine.travel(datetime.datetime(2026, 1, 31, 12, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        recognition = services.application_approve(
            application=application, assessor=assessor, reason="Strong evidence."
        )
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert application.decided_by == assessor
    assert recognition.granted_on == datetime.date(2026, 1, 31)
    assert recognition.valid_until == datetime.date(2029, 1, 31)
    assert recognition.public is True
    assert recognition.display_name == "Priya Shah"
    assert recognition.level == application.scheme.level
    assert code_normalise(recognition.code) == recognition.code
    assert "approved" in mail.outbox[-1].subject
    assert recognition.code in mail.outbox[-1].body


def test_early_renewal_runs_on_from_the_old_expiry_and_supersedes_it():
    first = submitted_application()
    assessor = make_assessor()
    with time_machine.travel(datetime.datetime(2026, 1, 10, 12, 0), tick=False):
        old = services.application_approve(application=first, assessor=assessor)
    with time_machine.travel(datetime.datetime(2028, 12, 1, 12, 0), tick=False):
        renewal = submitted_application(
            applicant=first.applicant, scheme=first.scheme, kind="renewal", renews=old
        )
        assert renewal.area_of_practice == first.area_of_practice
        new = services.application_approve(application=renewal, assessor=assessor)
    old.refresh_from_db()
    assert old.status == Recognition.Status.SUPERSEDED
    assert new.granted_on == datetime.date(2028, 12, 1)
    assert new.valid_until == datetime.date(2032, 1, 10)


def test_new_application_refused_while_recognition_is_active():
    application = submitted_application()
    services.application_approve(application=application, assessor=make_assessor())
    with pytest.raises(ValidationError, match="renew it instead"):
        services.application_start(applicant=application.applicant, scheme=application.scheme)


def test_decline_needs_a_reason_and_emails_it(django_capture_on_commit_callbacks):
    application = submitted_application()
    assessor = make_assessor()
    with pytest.raises(ValidationError):
        services.application_decline(application=application, assessor=assessor, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        services.application_decline(
            application=application, assessor=assessor, reason="No observation yet."
        )
    application.refresh_from_db()
    assert application.status == Application.Status.DECLINED
    assert "No observation yet." in mail.outbox[-1].body
    with pytest.raises(ValidationError):
        services.application_approve(application=application, assessor=assessor)


def test_nobody_reviews_their_own_application_and_only_assessors_review():
    assessor = make_assessor()
    own = submitted_application(applicant=assessor)
    with pytest.raises(PermissionDenied, match="your own"):
        services.application_approve(application=own, assessor=assessor)
    with pytest.raises(PermissionDenied):
        services.application_approve(application=submitted_application(), assessor=UserFactory())


def test_approve_only_a_submitted_application():
    scheme, _ = make_framework_scheme()
    applicant = UserFactory()
    draft = services.application_start(applicant=applicant, scheme=scheme)
    with pytest.raises(ValidationError, match="Only a submitted application"):
        services.application_approve(application=draft, assessor=make_assessor())


# The applicant's pages.


def test_overview_offers_open_schemes_and_starts_an_application(client):
    scheme, _ = make_framework_scheme(title="Recognised infant mental health practitioner")
    applicant = UserFactory()
    client.force_login(applicant)
    page = client.get(reverse("imh_recognition:overview")).content.decode()
    assert "Recognised infant mental health practitioner" in page
    response = client.post(reverse("imh_recognition:application_start", args=[scheme.pk]))
    application = Application.objects.get(applicant=applicant)
    assert response.url == reverse("imh_recognition:application", args=[application.pk])


def test_application_page_saves_and_submits(client, django_capture_on_commit_callbacks):
    scheme, (competency,) = make_framework_scheme(competencies=1)
    applicant = UserFactory()
    add_evidence(applicant, competency, title="Observed home visit")
    application = services.application_start(applicant=applicant, scheme=scheme)
    item = application.evidence_items.get()
    client.force_login(applicant)
    url = reverse("imh_recognition:application", args=[application.pk])
    page = client.get(url).content.decode()
    assert "Observed home visit" in page
    assert f'name="include_{item.pk}"' in page

    # Leaving out the only item: the requirement fails and the page says so.
    data = {
        **ready_fields(),
        "public_consent_requested": "on",
        "action": "submit",
        f"statement_{competency.pk}": "I observe.",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Evidence for at least 1 competency is needed" in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**data, f"include_{item.pk}": "on"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.competency_statements.get().text == "I observe."


def test_someone_elses_application_is_not_found(client):
    application = submitted_application()
    client.force_login(UserFactory())
    url = reverse("imh_recognition:application", args=[application.pk])
    assert client.get(url).status_code == 404


def test_applicant_sees_the_request_but_never_internal_notes(client):
    application = submitted_application()
    assessor = make_assessor()
    services.application_note(
        application=application, assessor=assessor, text="Check with the trust first."
    )
    services.application_request_more(
        application=application, assessor=assessor, text="Please add a statement for IDR1."
    )
    client.force_login(application.applicant)
    url = reverse("imh_recognition:application", args=[application.pk])
    page = client.get(url).content.decode()
    assert "Please add a statement for IDR1." in page
    assert "Check with the trust first." not in page
    assert Message.objects.filter(kind="note").count() == 1

    items = application.evidence_items.values_list("pk", flat=True)
    included = {f"include_{pk}": "on" for pk in items}
    response = client.post(
        url, {**ready_fields(), **included, "action": "respond", "text": "Statement added."}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_withdraw_from_the_page(client):
    application = submitted_application()
    client.force_login(application.applicant)
    url = reverse("imh_recognition:application_withdraw", args=[application.pk])
    assert "Withdraw" in client.get(url).content.decode()
    client.post(url)
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
