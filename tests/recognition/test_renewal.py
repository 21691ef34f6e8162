"""Renewal reminders, lapse, the daily job, consent, renewal and revocation."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from imh_core.hooks import IMH_SCHEDULES, hook_results
from imh_recognition import renewal
from imh_recognition.models import Application, Recognition
from imh_recognition.tasks_renewal import recognition_renewals_run
from tests.factories import UserFactory
from tests.recognition.register_factories import make_assessor, make_recognition

pytestmark = pytest.mark.django_db

GRANTED = datetime.date(2023, 6, 1)
ENDS = datetime.date(2026, 6, 1)


@pytest.fixture
def cap(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (the emails) when a block exits."""
    return django_capture_on_commit_callbacks


def _on(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(8, 0)), tick=False)


def _run(day: datetime.date, capture) -> renewal.RenewalRun:
    with _on(day), capture(execute=True):
        return renewal.renewals_run()


def _entry(**kwargs) -> Recognition:
    return make_recognition(granted_on=GRANTED, valid_until=ENDS, **kwargs)


# Reminders ----------------------------------------------------------------------------------


def test_reminders_at_90_30_and_7_days_each_once(cap):
    entry = _entry()
    sent_on = []
    day = ENDS - datetime.timedelta(days=120)
    while day <= ENDS:
        before = len(mail.outbox)
        run = _run(day, cap)
        # A second run the same day sends nothing.
        again = _run(day, cap)
        assert again.reminders == 0
        if len(mail.outbox) > before:
            assert run.reminders == 1
            sent_on.append((ENDS - day).days)
        day += datetime.timedelta(days=1)
    assert sent_on == [90, 30, 7]
    entry.refresh_from_db()
    assert entry.reminders_sent == [90, 30, 7]
    message = mail.outbox[0]
    assert message.to == [entry.person.email]
    assert "1 June 2026" in message.subject
    assert "in 90 days" in message.body
    assert f"/recognition/recognitions/{entry.pk}/" in message.body


def test_catch_up_sends_only_the_nearest_offset(cap):
    entry = _entry()
    run = _run(ENDS - datetime.timedelta(days=20), cap)
    assert run.reminders == 1
    entry.refresh_from_db()
    assert entry.reminders_sent == [30]
    # The 90-day reminder is never sent late.
    assert _run(ENDS - datetime.timedelta(days=19), cap).reminders == 0
    assert len(mail.outbox) == 1


def test_offset_already_past_at_grant_is_never_sent(cap):
    entry = make_recognition(granted_on=ENDS - datetime.timedelta(days=60), valid_until=ENDS)
    assert _run(ENDS - datetime.timedelta(days=59), cap).reminders == 0
    assert _run(ENDS - datetime.timedelta(days=30), cap).reminders == 1
    entry.refresh_from_db()
    assert entry.reminders_sent == [30]


def test_reminder_days_setting(settings, cap):
    settings.IMH_RECOGNITION_REMINDER_DAYS = [14]
    _entry()
    assert _run(ENDS - datetime.timedelta(days=30), cap).reminders == 0
    assert _run(ENDS - datetime.timedelta(days=14), cap).reminders == 1


def test_no_reminders_for_inactive(cap):
    for status in (Recognition.Status.REVOKED, Recognition.Status.SUPERSEDED):
        _entry(status=status)
    assert _run(ENDS - datetime.timedelta(days=7), cap).reminders == 0
    assert mail.outbox == []


# Lapse --------------------------------------------------------------------------------------


def test_lapses_the_day_after_valid_until_with_an_email(cap):
    entry = _entry()
    assert _run(ENDS, cap).lapsed == 0
    entry.refresh_from_db()
    assert entry.status == Recognition.Status.ACTIVE
    mail.outbox.clear()

    run = _run(ENDS + datetime.timedelta(days=1), cap)
    assert run.lapsed == 1
    entry.refresh_from_db()
    assert entry.status == Recognition.Status.LAPSED
    assert len(mail.outbox) == 1
    assert "has lapsed" in mail.outbox[0].subject
    # Only once.
    assert _run(ENDS + datetime.timedelta(days=2), cap).lapsed == 0
    assert len(mail.outbox) == 1


def test_command_and_task_and_schedule(cap, capsys):
    entry = _entry()
    with cap(execute=True):
        call_command("recognition_renewals", "--date", "2026-06-02")
    assert "1 recognition lapsed" in capsys.readouterr().out
    entry.refresh_from_db()
    assert entry.status == Recognition.Status.LAPSED

    with _on(ENDS + datetime.timedelta(days=5)):
        result = recognition_renewals_run.enqueue()
    assert result.return_value == {"reminders": 0, "lapsed": 0}

    schedules = [s for group in hook_results(IMH_SCHEDULES) for s in group]
    names = {s.name: s for s in schedules}
    assert names["recognition-renewals"].task == (
        "imh_recognition.tasks_renewal.recognition_renewals_run"
    )


# Consent ------------------------------------------------------------------------------------


def test_set_public_records_when_and_only_by_the_person():
    entry = _entry(public=True)
    with pytest.raises(PermissionDenied):
        renewal.recognition_set_public(person=UserFactory(), recognition=entry, public=False)
    updated = renewal.recognition_set_public(
        person=entry.person, recognition=entry, public=False, display_name="  Dr   Priya Shah "
    )
    assert updated.public is False
    assert updated.public_changed_at is not None
    assert updated.display_name == "Dr Priya Shah"
    with pytest.raises(ValidationError):
        renewal.recognition_set_public(
            person=entry.person, recognition=entry, public=False, display_name="  "
        )


def test_own_page_changes_consent(client):
    entry = make_recognition(public=True)
    client.force_login(entry.person)
    url = f"/recognition/recognitions/{entry.pk}/"
    html = client.get(url).content.decode()
    assert "Show me on the public register" in html
    assert "You are listed on the" in html
    response = client.post(url, {"public": "no", "display_name": "Priya Shah"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.public is False
    assert list(client.get("/recognition/register/").context["page"].object_list) == []
    # Someone else's recognition is not found.
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_own_page_requires_a_choice(client):
    entry = make_recognition(public=True)
    client.force_login(entry.person)
    response = client.post(f"/recognition/recognitions/{entry.pk}/", {"display_name": "P"})
    assert response.status_code == 400
    assert "Select yes if you want to be on the public register" in response.content.decode()


# Renewal ------------------------------------------------------------------------------------


def test_renewal_entry_only_inside_the_window_or_after_lapse(client):
    entry = _entry()  # renewal_window_days defaults to 90
    client.force_login(entry.person)
    url = f"/recognition/recognitions/{entry.pk}/"
    with _on(ENDS - datetime.timedelta(days=91)):
        html = client.get(url).content.decode()
        assert "Apply to renew" not in html
        assert "You can apply to renew from 3 March 2026" in html
        with pytest.raises(ValidationError):
            renewal.recognition_renewal_start(person=entry.person, recognition=entry)
    with _on(ENDS - datetime.timedelta(days=90)):
        assert "Apply to renew" in client.get(url).content.decode()
    entry.status = Recognition.Status.LAPSED
    entry.save()
    with _on(ENDS + datetime.timedelta(days=30)):
        assert renewal.recognition_can_renew(entry)


def test_apply_to_renew_starts_one_renewal_application(client):
    entry = _entry()
    client.force_login(entry.person)
    with _on(ENDS - datetime.timedelta(days=10)):
        response = client.post(f"/recognition/recognitions/{entry.pk}/renew/")
        application = Application.objects.get(renews=entry)
        assert application.kind == Application.Kind.RENEWAL
        assert application.status == Application.Status.DRAFT
        assert response.status_code == 302
        # Again: back to the same application.
        client.post(f"/recognition/recognitions/{entry.pk}/renew/")
        assert Application.objects.filter(renews=entry).count() == 1
        html = client.get(f"/recognition/recognitions/{entry.pk}/").content.decode()
        assert "Continue your renewal application" in html


def test_someone_else_cannot_renew(client):
    entry = _entry()
    client.force_login(UserFactory())
    with _on(ENDS - datetime.timedelta(days=10)):
        assert client.post(f"/recognition/recognitions/{entry.pk}/renew/").status_code == 404
    assert not Application.objects.filter(renews=entry).exists()


# Revocation ---------------------------------------------------------------------------------


def test_revoke_needs_a_reason_and_verifies_as_revoked(client, cap):
    entry = _entry()
    with pytest.raises(PermissionDenied):
        renewal.recognition_revoke(assessor=UserFactory(), recognition=entry, reason="No.")
    assessor = make_assessor()
    with pytest.raises(ValidationError):
        renewal.recognition_revoke(assessor=assessor, recognition=entry, reason=" ")
    with cap(execute=True), _on(datetime.date(2026, 3, 4)):
        renewal.recognition_revoke(
            assessor=assessor, recognition=entry, reason="Evidence was not genuine."
        )
    entry.refresh_from_db()
    assert entry.status == Recognition.Status.REVOKED
    assert entry.revoked_reason == "Evidence was not genuine."
    assert entry.revoked_by == assessor
    assert entry.revoked_at.date() == datetime.date(2026, 3, 4)
    assert "revoked" in mail.outbox[0].subject
    data = client.get(f"/api/v1/recognitions/{entry.code}/").json()
    assert data["status"] == "revoked"
    assert data["revoked_on"] == "2026-03-04"
    page = client.get(f"/recognition/verify/{entry.code}/").content.decode()
    assert "revoked by the assessors on 4 March 2026" in page
    assert "Evidence was not genuine" not in page
    with pytest.raises(ValidationError):
        renewal.recognition_revoke(assessor=assessor, recognition=entry, reason="Again.")
