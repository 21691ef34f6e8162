"""Import a competency framework file, exactly as the admin's "Import framework" page does."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imh_competencies.frameworks_io import (
    FORMATS,
    FrameworkImportError,
    framework_import,
    framework_import_sample,
    framework_title,
)


class Command(BaseCommand):
    help = (
        "Import a competency framework from a JSON or CSV file (ours) or a Moodle competency "
        "framework export (CSV). The format is worked out from the file unless --format is "
        "given. Nothing is written unless the whole file is right; problems are listed by row "
        "on stderr and the command exits with status 1."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", nargs="?", metavar="FILE", help="The file to import.")
        parser.add_argument("--format", choices=FORMATS, help="Read the file as this format.")
        parser.add_argument(
            "--sample",
            action="store_true",
            help="Import the illustrative sample framework that ships with the site "
            "(does nothing if it is already here).",
        )

    def handle(self, *args, file: str | None, format: str | None, sample: bool, **options):
        if sample:
            framework = framework_import_sample()
            self.stdout.write(
                f'Sample framework "{framework_title(framework)}" is here: '
                f"{framework.areas.count()} areas, {framework.competencies.count()} competencies."
            )
            return
        if not file:
            raise CommandError("Give the file to import (or --sample).")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f'"{file}" is not a file.')
        try:
            with path.open("rb") as handle:
                result = framework_import(file=handle, filename=path.name, format=format)
        except FrameworkImportError as error:
            count = len(error.row_errors)
            self.stderr.write(
                f'Nothing was imported from "{path.name}": '
                f"{count} problem{'s' if count != 1 else ''} to fix."
            )
            for row_error in error.row_errors:
                self.stderr.write(f"  {row_error}")
            raise SystemExit(1) from error
        self.stdout.write(result.summary)
        if result.crosswalks_created:
            self.stdout.write(f"{result.crosswalks_created} crosswalks made.")
        for warning in result.warnings:
            self.stdout.write(f"Warning: {warning}")
