"""Presentation helpers for organisation pages: people's names and NHS.UK status tags."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from imh_core.people import person_name
from imh_organisations.models import Invitation, Membership

register = template.Library()

_STATUS_COLOURS = {
    Membership.Status.PENDING: "yellow",
    Membership.Status.ACTIVE: "green",
    Membership.Status.DECLINED: "red",
    Membership.Status.LEFT: "grey",
}
_INVITATION_COLOURS = {
    Invitation.State.OPEN: "blue",
    Invitation.State.EXPIRED: "grey",
    Invitation.State.ACCEPTED: "green",
    Invitation.State.REVOKED: "grey",
}


@register.filter
def display_name(user: Any) -> str:
    return person_name(user)


@register.simple_tag
def membership_status_tag(membership: Membership) -> SafeString:
    colour = _STATUS_COLOURS.get(membership.status, "grey")
    return format_html(
        '<strong class="nhsuk-tag nhsuk-tag--{}">{}</strong>',
        colour,
        membership.get_status_display(),
    )


@register.simple_tag
def invitation_state_tag(invitation: Invitation) -> SafeString:
    state = invitation.state
    return format_html(
        '<strong class="nhsuk-tag nhsuk-tag--{}">{}</strong>',
        _INVITATION_COLOURS.get(state, "grey"),
        Invitation.State(state).label,
    )
