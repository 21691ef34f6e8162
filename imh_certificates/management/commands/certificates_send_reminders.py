"""Send the certificate expiry reminders due today; run daily by cron or a systemd timer."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from imh_certificates.reminders import REMINDER_DAYS, reminders_send


class Command(BaseCommand):
    help = (
        "Email holders and their managers about certificates that expire in "
        + " and ".join(str(days) for days in REMINDER_DAYS)
        + " days. Each reminder is sent once, so running it more than once a day is safe."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            help="Act as if today were this date (YYYY-MM-DD); for catching up or testing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("date"):
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("Give the date as YYYY-MM-DD, for example 2026-12-01.") from None
        run = reminders_send(today=today)
        self.stdout.write(
            f"Sent {run.reminders} expiry reminder{'s' if run.reminders != 1 else ''} "
            f"({run.emails} email{'s' if run.emails != 1 else ''})."
        )
