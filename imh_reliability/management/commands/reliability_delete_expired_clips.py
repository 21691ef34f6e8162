"""Delete reliability clip files past their retention date now (the daily job does it too)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from imh_reliability.services import clips_retention_run


class Command(BaseCommand):
    help = "Delete reliability clip files whose retention date has passed."

    def handle(self, *args, **options) -> None:
        deleted = clips_retention_run()
        self.stdout.write(f"Deleted {deleted} clip file(s) past their retention date.")
