"""Send the mandatory-training reminders due today; run daily by cron or the scheduler."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from imh_compliance.services.reminders import DUE_SOON_DAYS, reminders_send_due


class Command(BaseCommand):
    help = (
        f"Email staff whose mandatory training is due within {DUE_SOON_DAYS} days or overdue. "
        "Each reminder is sent once, so running it more than once a day is safe."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            help="Act as if today were this date (YYYY-MM-DD); for catching up or testing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = _parse_date(options.get("date"))
        result = reminders_send_due(today=today)
        emails = result["emails"]
        self.stdout.write(
            f"Sent {emails} reminder email{'s' if emails != 1 else ''} "
            f"({result['due_soon']} due soon, {result['overdue']} overdue)."
        )


def _parse_date(value: str | None) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError("Give the date as YYYY-MM-DD, for example 2026-12-01.") from None
