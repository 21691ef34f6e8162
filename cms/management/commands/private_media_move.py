"""Move private files that older versions kept under MEDIA_ROOT/private/ to private storage.

Certificates, evidence and reports used to be stored in the public media folder under
private/. They now live on the "private" storage (PRIVATE_MEDIA_ROOT, or the bucket), under
the same names, so the records that point at them need no change: only the files move. Safe
to run again; a file already in private storage is left where it is and reported.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from imh_core.storage import PRIVATE_PREFIX, private_storage


class Command(BaseCommand):
    help = "Move private files left under MEDIA_ROOT/private/ to the private storage."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would move, and move nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        media_root = Path(settings.MEDIA_ROOT)
        source = media_root / PRIVATE_PREFIX
        if not source.is_dir():
            self.stdout.write(f"Nothing to move: {source} does not exist.")
            return
        storage = private_storage()
        moved = kept = 0
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            name = path.relative_to(media_root).as_posix()
            if storage.exists(name):
                kept += 1
                self.stderr.write(f"Already in private storage, left in place: {name}")
                continue
            if dry_run:
                self.stdout.write(f"Would move {name}")
                moved += 1
                continue
            with path.open("rb") as content:
                saved = storage.save(name, File(content))
            if saved != name:
                storage.delete(saved)
                raise CommandError(f"Private storage saved {name} as {saved}; nothing removed.")
            path.unlink()
            moved += 1
        if not dry_run:
            for folder in sorted(source.rglob("*"), reverse=True):
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()
            if not any(source.iterdir()):
                source.rmdir()
        verb = "Would move" if dry_run else "Moved"
        self.stdout.write(f"{verb} {moved} files; {kept} already in private storage.")
