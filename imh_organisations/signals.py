"""Receivers for other apps' signals; each is one line into a service."""

from __future__ import annotations

from typing import Any

from imh_organisations import services


def booking_awaiting_approval_notify(sender: Any, booking: Any, **kwargs: Any) -> None:
    """A trainee booked a live session that needs a manager's approval: ask their managers."""
    services.session_booking_approval_request(booking=booking)
