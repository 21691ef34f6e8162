"""The task results table: finished results are pruned, delivered emails are not kept, and an
account's queued emails go with the account."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.mail import EmailMessage, send_mail
from django.test import override_settings
from django.utils.module_loading import import_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from imh_accounts.services import account_delete
from imh_core.scheduler import schedules_registered
from imh_core.task_results import EMAIL_TASK_PATH, payload_addresses, task_results_prune
from imh_core.tasks import task
from tests.core.queue import ago, database_queue, mark, run_queue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

QUEUED_EMAIL = override_settings(
    EMAIL_BACKEND="imh_core.mail.TaskEmailBackend",
    IMH_EMAIL_DELIVERY_BACKEND="django.core.mail.backends.locmem.EmailBackend",
)
RESET_LINK = "https://learning.example.org/accounts/password/reset/key/7-abc123/"


@task()
def noop(number: int) -> int:
    return number


def _email(to: str, *, body: str = f"Reset your password: {RESET_LINK}") -> DBTaskResult:
    send_mail("Reset your password", body, "IMH Learning <no-reply@example.org>", [to])
    return DBTaskResult.objects.filter(task_path=EMAIL_TASK_PATH).order_by("-enqueued_at")[0]


def _prune_schedule():
    return next(
        schedule for schedule in schedules_registered() if schedule.name == "task-results-prune"
    )


# Pruning.


def _left() -> set[str]:
    return {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)}


@database_queue
def test_the_daily_prune_deletes_finished_results_past_the_retention_period():
    old_ok, old_failed, recent_ok, old_running, waiting = (noop.enqueue(n).id for n in range(5))
    mark(old_ok, status=TaskResultStatus.SUCCESSFUL, finished=ago(days=8))
    mark(old_failed, status=TaskResultStatus.FAILED, finished=ago(days=8))
    mark(recent_ok, status=TaskResultStatus.SUCCESSFUL, finished=ago(days=6))
    mark(old_running, status=TaskResultStatus.RUNNING, started=ago(days=8))

    schedule = _prune_schedule()
    assert schedule.description == "Daily at 03:30"
    import_string(schedule.task).enqueue()
    run_queue()

    left = _left()
    assert old_ok not in left
    assert old_failed not in left
    assert {recent_ok, old_running, waiting} <= left


@database_queue
@override_settings(IMH_TASK_RESULTS_RETENTION_DAYS=30)
def test_the_retention_period_is_a_setting():
    kept = noop.enqueue(1).id
    gone = noop.enqueue(2).id
    mark(kept, status=TaskResultStatus.SUCCESSFUL, finished=ago(days=8))
    mark(gone, status=TaskResultStatus.SUCCESSFUL, finished=ago(days=31))

    assert task_results_prune() is True

    assert kept in _left()
    assert gone not in _left()


@database_queue
@override_settings(IMH_TASK_RESULTS_RETENTION_DAYS=0)
def test_a_retention_period_under_a_day_is_refused():
    with pytest.raises(ImproperlyConfigured, match="IMH_TASK_RESULTS_RETENTION_DAYS"):
        task_results_prune()


def test_nothing_to_prune_when_tasks_are_not_stored():
    assert task_results_prune() is False


# Delivered emails are not kept.


@database_queue
@QUEUED_EMAIL
def test_a_delivered_email_keeps_no_body_or_address():
    result = _email("ann@example.org")
    assert RESET_LINK in str(result.args_kwargs)

    run_queue()

    assert len(mail.outbox) == 1
    assert RESET_LINK in mail.outbox[0].body  # it really went, link and all
    result.refresh_from_db()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert RESET_LINK not in str(result.args_kwargs)
    assert "ann@example.org" not in str(result.args_kwargs)
    assert result.args_kwargs == {"args": [{"forgotten": True, "recipients": 1}], "kwargs": {}}


@database_queue
@QUEUED_EMAIL
@override_settings(IMH_EMAIL_DELIVERY_BACKEND="tests.core.test_task_results.BrokenEmailBackend")
def test_an_email_that_failed_is_kept_to_show_what_did_not_go():
    result = _email("ann@example.org")

    run_queue()

    result.refresh_from_db()
    assert result.status == TaskResultStatus.FAILED
    assert "ann@example.org" in payload_addresses(result.args_kwargs)


class BrokenEmailBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


# Account deletion.


@database_queue
@QUEUED_EMAIL
def test_deleting_an_account_deletes_the_emails_stored_for_it(password):
    user = UserFactory(email="ann@example.org", password=password)
    EmailAddress.objects.create(user=user, email="ann.work@nhs.example.org", verified=True)
    waiting = _email("ann@example.org")
    failed = _email("Ann Smith <ANN.WORK@nhs.example.org>")
    mark(failed.pk, status=TaskResultStatus.FAILED, finished=ago(hours=1))
    being_sent = _email("ann@example.org")
    mark(being_sent.pk, status=TaskResultStatus.RUNNING, started=ago(seconds=1))
    someone_else = _email("joann@example.org")
    other_task = noop.enqueue(1).id

    account_delete(user=user, password=password)

    left = _left()
    assert str(waiting.pk) not in left
    assert str(failed.pk) not in left
    assert {str(someone_else.pk), other_task} <= left
    # A message being delivered right now keeps its row (the worker records the outcome on
    # it) but no longer the message.
    being_sent.refresh_from_db()
    assert being_sent.status == TaskResultStatus.RUNNING
    assert RESET_LINK not in str(being_sent.args_kwargs)
    assert "ann@example.org" not in str(being_sent.args_kwargs)


@database_queue
@QUEUED_EMAIL
def test_deletion_finds_an_address_with_accents_and_in_copy(password):
    user = UserFactory(email="zoë@bücher.example", password=password)
    message = EmailMessage("Hello", "Body", "from@example.org", ["x@example.org"])
    message.cc = ["Zoë <zoë@bücher.example>"]
    message.send()
    assert DBTaskResult.objects.filter(task_path=EMAIL_TASK_PATH).count() == 1

    account_delete(user=user, password=password)

    assert not DBTaskResult.objects.filter(task_path=EMAIL_TASK_PATH).exists()


@database_queue
@QUEUED_EMAIL
def test_a_failed_account_deletion_keeps_the_emails(password):
    user = UserFactory(email="ann@example.org", password=password)
    _email("ann@example.org")

    with pytest.raises(ValidationError, match="password"):
        account_delete(user=user, password="wrong")

    assert DBTaskResult.objects.filter(task_path=EMAIL_TASK_PATH).count() == 1


def test_payload_addresses_reads_every_address_field():
    payload = {
        "from_email": "IMH Learning <No-Reply@example.org>",
        "to": ["a@example.org"],
        "cc": ["B <b@example.org>"],
        "bcc": ["c@example.org"],
        "reply_to": ["d@example.org"],
    }
    assert payload_addresses({"args": [payload], "kwargs": {}}) == {
        "no-reply@example.org",
        "a@example.org",
        "b@example.org",
        "c@example.org",
        "d@example.org",
    }
    assert payload_addresses(None) == set()
    assert payload_addresses({"args": [{"forgotten": True}], "kwargs": {}}) == set()
