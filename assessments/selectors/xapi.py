"""Reads for xAPI results of H5P activities."""

from __future__ import annotations

from collections.abc import Iterable


def h5p_ids_passed(*, user, activity_ids: Iterable[int]) -> set[int]:
    """The ids, among ``activity_ids``, of H5P activities ``user`` has passed (one query)."""
    raise NotImplementedError
