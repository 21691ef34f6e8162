"""The audit log of managers' access to member records."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from imh_compliance.models import AccessEvent
from imh_organisations.models import Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


def access_events_for(*, organisation: Organisation) -> QuerySet[AccessEvent]:
    return AccessEvent.objects.filter(organisation=organisation).order_by("-created_at", "-pk")


def access_events_about(*, user: AbstractBaseUser) -> QuerySet[AccessEvent]:
    """Views of this person's record by managers: they may see who looked."""
    return (
        AccessEvent.objects.filter(member=user, action=AccessEvent.Action.VIEWED_RECORD)
        .select_related("organisation")
        .order_by("-created_at", "-pk")
    )
