"""Where people stand on reliability tests today: current, expiring, expired, not passed, not taken.

What employers and lesson pages show. A standing says only the status and its dates, never
ratings, scores or clips, so it is safe to show a manager. ``standings`` answers for many
people in one query; ``standing_for`` for one person and one test.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from imh_core.conf import imh_setting
from imh_reliability.models import Attempt, ReliabilityTest


class Status(models.TextChoices):
    CURRENT = "current", _("Current")
    EXPIRING = "expiring", _("Expiring soon")
    EXPIRED = "expired", _("Expired, re-test needed")
    NOT_PASSED = "not_passed", _("Not passed yet")
    NOT_TAKEN = "not_taken", _("Not taken")


# NHS.UK tag colours.
TAG_COLOURS = {
    Status.CURRENT: "green",
    Status.EXPIRING: "orange",
    Status.EXPIRED: "red",
    Status.NOT_PASSED: "yellow",
    Status.NOT_TAKEN: "grey",
}
# Statuses that count as holding the result today.
HELD = frozenset({Status.CURRENT, Status.EXPIRING})
_LABELS = dict(Status.choices)


@dataclass(frozen=True, slots=True)
class Standing:
    """One person against one test on one day."""

    test_id: int
    test_title: str
    status: str
    valid_until: datetime.date | None = None  # the latest expiry of a pass, if any
    last_submitted_on: datetime.date | None = None

    @property
    def label(self) -> str:
        return str(_LABELS[self.status])

    @property
    def colour(self) -> str:
        return TAG_COLOURS[self.status]

    @property
    def is_held(self) -> bool:
        return self.status in HELD

    @property
    def detail(self) -> str:
        """The date that goes with the status, in words: "valid until 3 March 2027"."""
        if self.valid_until is None:
            if self.status == Status.NOT_PASSED and self.last_submitted_on:
                return gettext("last tried %(date)s") % {
                    "date": date_format(self.last_submitted_on, "j F Y")
                }
            return ""
        values = {"date": date_format(self.valid_until, "j F Y")}
        if self.status in HELD:
            return gettext("valid until %(date)s") % values
        return gettext("expired %(date)s") % values


def expiring_within_days() -> int:
    return int(imh_setting("IMH_RELIABILITY_EXPIRING_DAYS"))


def status_for(
    *,
    valid_until: datetime.date | None,
    submitted: bool,
    today: datetime.date,
    expiring_days: int,
) -> str:
    """The status from the latest expiry of a pass (or none) and whether anything was
    submitted. A result is current up to and including its expiry date."""
    if valid_until is not None:
        if valid_until < today:
            return Status.EXPIRED
        if valid_until <= today + datetime.timedelta(days=expiring_days):
            return Status.EXPIRING
        return Status.CURRENT
    return Status.NOT_PASSED if submitted else Status.NOT_TAKEN


def live_tests() -> list[ReliabilityTest]:
    """The live tests, by title: the ones employers see a column for."""
    return list(ReliabilityTest.objects.filter(live=True).only("pk", "title").order_by("title"))


def standings(
    *,
    user_ids: Iterable[int],
    tests: Iterable[ReliabilityTest] | None = None,
    today: datetime.date | None = None,
) -> dict[int, list[Standing]]:
    """Per person, a standing for each test, in the order of ``tests`` (live tests by title
    when not given). One query for the attempts (and one for the tests when not given)."""
    user_ids = list(dict.fromkeys(user_ids))
    tests = live_tests() if tests is None else list(tests)
    if not user_ids:
        return {}
    today = today or timezone.localdate()
    expiring_days = expiring_within_days()
    facts: dict[tuple[int, int], tuple[datetime.date | None, datetime.datetime | None]] = {}
    if tests:
        rows = (
            Attempt.objects.filter(
                user_id__in=user_ids,
                test_id__in=[test.pk for test in tests],
                submitted_at__isnull=False,
            )
            .order_by()
            .values("user_id", "test_id")
            .annotate(
                valid_until=Max("expires_on", filter=Q(passed=True)),
                last_submitted=Max("submitted_at"),
            )
            .values_list("user_id", "test_id", "valid_until", "last_submitted")
        )
        facts = {(user_id, test_id): (until, last) for user_id, test_id, until, last in rows}
    result = {}
    for user_id in user_ids:
        row = []
        for test in tests:
            valid_until, last = facts.get((user_id, test.pk), (None, None))
            row.append(
                Standing(
                    test_id=test.pk,
                    test_title=test.title,
                    status=status_for(
                        valid_until=valid_until,
                        submitted=last is not None,
                        today=today,
                        expiring_days=expiring_days,
                    ),
                    valid_until=valid_until,
                    last_submitted_on=timezone.localdate(last) if last else None,
                )
            )
        result[user_id] = row
    return result


def standing_for(
    *, user, test: ReliabilityTest, today: datetime.date | None = None
) -> Standing | None:
    """``user``'s standing on ``test``, or None for someone not logged in."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return standings(user_ids=[user.pk], tests=[test], today=today)[user.pk][0]
