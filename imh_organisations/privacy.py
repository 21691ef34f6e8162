"""What the organisations app holds about a person, for data export and account erasure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress

from imh_organisations import selectors, services


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def user_data_export(user: Any) -> dict[str, list[dict[str, Any]]]:
    """The person's memberships (all, history included) and the invitations sent to them."""
    memberships = selectors.memberships_for_user(user=user, statuses=None)
    emails = set(EmailAddress.objects.filter(user=user).values_list("email", flat=True))
    if user.email:
        emails.add(user.email)
    invitations = selectors.invitations_for_emails(emails=emails).order_by("created_at")
    return {
        "memberships": [
            {
                "organisation": membership.organisation.name,
                "role": membership.get_role_display(),
                "status": membership.get_status_display(),
                "how_it_started": membership.get_source_display(),
                "requested_at": _when(membership.requested_at),
                "decided_at": _when(membership.decided_at),
                "ended_at": _when(membership.ended_at),
            }
            for membership in memberships
        ],
        "invitations": [
            {
                "organisation": invitation.organisation.name,
                "email": invitation.email,
                "role": invitation.get_role_display(),
                "state": invitation.State(invitation.state).label,
                "created_at": _when(invitation.created_at),
                "expires_at": _when(invitation.expires_at),
                "accepted_at": _when(invitation.accepted_at),
                "revoked_at": _when(invitation.revoked_at),
            }
            for invitation in invitations
        ],
    }


def user_data_erase(user: Any) -> None:
    services.organisation_data_erase_for_user(user=user)
