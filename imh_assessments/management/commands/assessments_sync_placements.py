"""Re-read every published page's activity blocks into activity placements."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from imh_assessments.services.placements import placements_sync_all


class Command(BaseCommand):
    help = (
        "Record which quizzes and H5P activities every published page holds. Run once on a "
        "site that had pages before placements existed; publishing keeps them in step after."
    )

    def handle(self, *args, **options) -> None:
        count = placements_sync_all()
        self.stdout.write(self.style.SUCCESS(f"Placements synced for {count} published pages."))
