"""Build the project's own H5P package (``IMH.CueCheck``) and optionally make an activity of it."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from imh_assessments.h5p.demo import DEMO_PACKAGE_NAME, DEMO_TITLE, demo_package_bytes
from imh_assessments.services.h5p import h5p_demo_activity_get_or_create


class Command(BaseCommand):
    help = (
        "Write the project's own small H5P package (the IMH.CueCheck content type and a "
        "demo activity) to a file, and/or create an H5P activity from it."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output",
            metavar="FILE",
            help=f"Where to write the .h5p file (for example {DEMO_PACKAGE_NAME}).",
        )
        parser.add_argument(
            "--create",
            action="store_true",
            help="Create the H5P activity from the package, unless one already exists.",
        )
        parser.add_argument(
            "--title", default=DEMO_TITLE, help="The activity's title, with --create."
        )

    def handle(self, *args, output: str | None, create: bool, title: str, **options) -> None:
        if not output and not create:
            raise CommandError("Give --output FILE, --create or both.")
        if output:
            data = demo_package_bytes()
            path = Path(output)
            try:
                path.write_bytes(data)
            except OSError as exc:
                raise CommandError(f"Cannot write {path}: {exc.strerror}.") from exc
            self.stdout.write(f"Wrote {path} ({len(data)} bytes).")
        if create:
            try:
                activity, created = h5p_demo_activity_get_or_create(title=title)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            verb = "Created" if created else "Already there:"
            self.stdout.write(f"{verb} H5P activity “{activity.title}” ({activity.uuid}).")
