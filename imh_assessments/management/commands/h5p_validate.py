"""Check ``.h5p`` files as an upload would, without storing anything."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from imh_assessments.h5p.validation import validate_package
from imh_assessments.selectors.h5p import h5p_installed_libraries


class Command(BaseCommand):
    help = (
        "Validate H5P packages. Prints 'ACCEPT <file>' or 'REJECT <file>: <reasons>' for each "
        "file and exits with status 1 if any file is rejected."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help=".h5p files to check")
        parser.add_argument(
            "--ignore-installed",
            action="store_true",
            help="Do not count libraries installed on this site as available: every "
            "dependency must be in the package.",
        )
        parser.add_argument(
            "--warnings", action="store_true", help="Also print warnings, indented."
        )

    def handle(self, *args, files: list[str], ignore_installed: bool, **options) -> None:
        installed = {} if ignore_installed else self._installed()
        rejected = 0
        for name in files:
            path = Path(name)
            if not path.is_file():
                reasons = ["file not found" if not path.exists() else "not a file"]
                warnings: list[str] = []
            else:
                result = validate_package(str(path), installed=installed)
                reasons = result.messages
                warnings = [str(warning) for warning in result.warnings]
            if reasons:
                rejected += 1
                self.stdout.write(f"REJECT {name}: {'; '.join(reasons)}")
            else:
                self.stdout.write(f"ACCEPT {name}")
            if options["warnings"]:
                for warning in warnings:
                    self.stdout.write(f"  warning: {warning}")
        if rejected:
            raise SystemExit(1)

    def _installed(self) -> dict[tuple[str, int, int], int]:
        """Installed libraries; none when the database is not set up (checking files only)."""
        try:
            return h5p_installed_libraries()
        except DatabaseError:
            self.stderr.write(
                "The database is not available: dependencies must all be in the packages."
            )
            return {}
