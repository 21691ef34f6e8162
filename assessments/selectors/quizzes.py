"""Reads for quizzes."""

from __future__ import annotations

from collections.abc import Iterable


def quiz_ids_passed(*, user, quiz_ids: Iterable[int]) -> set[int]:
    """The ids, among ``quiz_ids``, of quizzes ``user`` has passed (one query)."""
    raise NotImplementedError
