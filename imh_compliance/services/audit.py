"""The audit log of managers' access to individuals' records (append only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from imh_compliance.models import AccessEvent
from imh_core.people import person_name

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from imh_organisations.models import Organisation


def access_event_record(
    *,
    organisation: Organisation,
    viewer: AbstractBaseUser,
    action: str,
    member: AbstractBaseUser | None = None,
    detail: str = "",
) -> AccessEvent:
    """Write one entry: who looked at whose record (or exported what), and when."""
    event = AccessEvent(
        organisation=organisation,
        viewer=viewer,
        viewer_name=person_name(viewer)[:255],
        member=member,
        member_name=person_name(member)[:255] if member is not None else "",
        action=action,
        detail=detail[:500],
    )
    event.full_clean()
    event.save()
    return event
