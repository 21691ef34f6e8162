"""Point the demo's default Wagtail site at the address the demo is served on."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from wagtail.models import Site

from cms.services import default_site_address_update
from imh_core.links import site_url


class Command(BaseCommand):
    help = (
        "Point the default Wagtail site at WAGTAILADMIN_BASE_URL (or --base-url), so that "
        "pages' full URLs use the address the demo is served on."
    )

    def add_arguments(self, parser):
        parser.add_argument("--base-url", help="The address to use instead of the setting.")

    def handle(self, *args, base_url: str | None = None, **options):
        base = base_url or site_url()
        try:
            site = default_site_address_update(base_url=base)
        except Site.DoesNotExist:
            self.stderr.write("There is no default Wagtail site to update: run demo_load first.")
            return
        except ValidationError as exc:
            # The demo still runs; only pages' full URLs keep the old address.
            self.stderr.write(f"The default site was left as it is: {' '.join(exc.messages)}")
            return
        if options["verbosity"] > 1:
            self.stdout.write(f"The default site is at {site.root_url}.")
