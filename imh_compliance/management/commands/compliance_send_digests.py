"""Send managers their weekly mandatory-training digest; safe to run daily (once a week each)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from imh_compliance.management.commands.compliance_send_reminders import _parse_date
from imh_compliance.services.reminders import digests_send


class Command(BaseCommand):
    help = (
        "Email each active manager a summary of their organisation's mandatory training. "
        "Each manager gets one a week (the first run from Monday sends it), so running it "
        "daily is safe."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            help="Act as if today were this date (YYYY-MM-DD); for catching up or testing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = digests_send(today=_parse_date(options.get("date")))
        self.stdout.write(f"Sent {sent} digest{'s' if sent != 1 else ''}.")
