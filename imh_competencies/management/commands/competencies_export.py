"""Write a competency framework to a file or stdout as JSON, CSV or Moodle CSV."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imh_competencies.frameworks_io import FORMATS, framework_export
from imh_competencies.models import Framework


class Command(BaseCommand):
    help = (
        "Export a competency framework by its slug: --format json (default, lossless), csv "
        "(ours) or moodle (for Moodle's Import competency framework). Writes to stdout "
        "unless -o is given."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", metavar="SLUG", help="The framework's slug.")
        parser.add_argument("--format", choices=FORMATS, default="json")
        parser.add_argument("-o", "--output", metavar="FILE", help="Write to this file.")

    def handle(self, *args, slug: str, format: str, output: str | None, **options):
        framework = Framework.objects.filter(slug=slug).first()
        if framework is None:
            known = ", ".join(Framework.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f'No framework has the slug "{slug}". Slugs here: {known}.')
        content = framework_export(framework=framework, format=format)
        if output:
            Path(output).write_bytes(content)
            self.stderr.write(f'Wrote "{framework.name}" to {output}.')
        else:
            self.stdout.flush()
            stream = getattr(self.stdout, "_out", sys.stdout)
            buffer = getattr(stream, "buffer", None)
            if buffer is not None:
                buffer.write(content)
                buffer.flush()
            else:
                stream.write(content.decode("utf-8"))
