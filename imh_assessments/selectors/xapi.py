"""Reads for xAPI results of H5P activities."""

from __future__ import annotations

from collections.abc import Iterable

from imh_assessments.models import ActivityResult


def h5p_ids_passed(*, user, activity_ids: Iterable[int]) -> set[int]:
    """The ids, among ``activity_ids``, of H5P activities ``user`` has passed (one query).

    A pass, once earned, is kept (see ``imh_assessments.services.xapi``).
    """
    activity_ids = list(activity_ids)
    if not activity_ids or not getattr(user, "is_authenticated", False):
        return set()
    return set(
        ActivityResult.objects.filter(
            user=user, activity_id__in=activity_ids, passed=True
        ).values_list("activity_id", flat=True)
    )
