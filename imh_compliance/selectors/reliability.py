"""Staff's observation reliability results, for the dashboard, member pages and exports.

A column per live reliability test: whether each person holds a current result (and until
when), is expiring soon, has expired, has tried and not passed yet, or has not taken it.
Managers see the status and its date only, never ratings, scores or clips
(``imh_reliability.standing``). One query for the tests and one for everyone's attempts.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from imh_reliability.standing import Standing, live_tests, standings


@dataclass
class ReliabilityTable:
    """The live tests (columns) and, per user id, a standing for each, in the same order."""

    tests: list = field(default_factory=list)
    rows: dict[int, list[Standing]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.tests)

    @property
    def titles(self) -> list[str]:
        return [test.title for test in self.tests]

    def for_user(self, user_id: int) -> list[Standing]:
        return self.rows.get(user_id, [])


def reliability_table(
    *, user_ids: Iterable[int], today: datetime.date | None = None
) -> ReliabilityTable:
    """Where these people stand on every live reliability test (empty when there is none)."""
    tests = live_tests()
    if not tests:
        return ReliabilityTable()
    return ReliabilityTable(
        tests=tests, rows=standings(user_ids=user_ids, tests=tests, today=today)
    )
