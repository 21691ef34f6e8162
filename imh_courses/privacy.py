"""What the courses app erases when a person deletes their account."""

from __future__ import annotations

from typing import Any

from imh_courses.services.learning import reflections_erase_for_user
from imh_courses.services.sessions import bookings_cancel_for_erasure


def user_data_erase(user: Any) -> None:
    """Delete the person's private reflections and give up their places at coming sessions.

    Enrolments, progress and completions stay, tied to the pseudonymised account: they hold no
    personal details of their own and feed the anonymous course figures.
    """
    reflections_erase_for_user(user=user)
    bookings_cancel_for_erasure(user=user)
