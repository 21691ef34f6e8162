"""Keep mandatory training assigned: apply every rule again and enrol renewals; run daily."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from imh_compliance.management.commands.compliance_send_reminders import _parse_date
from imh_compliance.services.assignments import renewals_assign, rules_sync


class Command(BaseCommand):
    help = (
        "Assign every active mandatory rule to the members it applies to (catching role "
        "changes), retry enrolments that were waiting, and enrol people whose certificates "
        "are about to expire. Running it more than once a day is safe."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            help="Act as if today were this date (YYYY-MM-DD); for catching up or testing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = _parse_date(options.get("date"))
        assigned = rules_sync(today=today)
        renewed = renewals_assign(today=today)
        self.stdout.write(
            f"Made {assigned} new assignment{'s' if assigned != 1 else ''} and "
            f"{renewed} renewal enrolment{'s' if renewed != 1 else ''}."
        )
