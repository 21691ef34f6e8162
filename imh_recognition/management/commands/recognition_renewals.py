"""Send recognition renewal reminders and lapse what has run out; the daily job, run now."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from imh_recognition.renewal import renewals_run


class Command(BaseCommand):
    help = (
        "Email practitioners whose recognition ends soon (IMH_RECOGNITION_REMINDER_DAYS) and "
        "mark recognitions lapsed the day after they end. Each reminder is sent once, so "
        "running it more than once a day is safe."
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
        run = renewals_run(today=today)
        self.stdout.write(
            f"Sent {run.reminders} renewal reminder{'s' if run.reminders != 1 else ''}; "
            f"{run.lapsed} recognition{'s' if run.lapsed != 1 else ''} lapsed."
        )
