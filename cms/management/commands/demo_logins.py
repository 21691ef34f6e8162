"""Print the demo's logins and main URLs (after `demo_load`)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from cms.demo import DEMO_PASSWORD, DEMO_USERS
from imh_certificates.models import Certificate
from imh_core.links import site_url


class Command(BaseCommand):
    help = "Print the demo logins and the main URLs."

    def add_arguments(self, parser):
        # The same address the demo's emails, certificates and xAPI agents use.
        parser.add_argument("--base-url", help="The address to print instead of the setting.")

    def handle(self, *args, base_url: str | None = None, **options):
        base = (base_url or site_url()).rstrip("/")
        out = self.stdout
        out.write("")
        out.write(self.style.SUCCESS("IMH Learning demo"))
        out.write(f"  Site:                  {base}/")
        out.write(f"  Log in:                {base}/accounts/login/")
        out.write(f"  Your account:          {base}/accounts/")
        out.write(f"  Your organisations:    {base}/organisations/")
        out.write(f"  Courses:               {base}/courses/")
        out.write(f"  Wagtail admin:         {base}/admin/")
        out.write(f"  Verify a certificate:  {base}/verify/")
        out.write(f"  Staff compliance:      {base}/compliance/ (as manager@example.org)")
        out.write(f"  Supervision:           {base}/supervision/")
        out.write(f"  Reliability training:  {base}/reliability/")
        out.write(f"  Other programmes:      {base}/competencies/programmes/")
        out.write(f"  Recognition:           {base}/recognition/")
        out.write(f"  Public register:       {base}/recognition/register/")
        certificate = (
            Certificate.objects.filter(holder__username="nursery")
            .exclude(status=Certificate.Status.SUPERSEDED)
            .first()
        )
        if certificate is not None:
            out.write(f"  A demo certificate:    {base}/verify/{certificate.code}/")
        out.write("")
        out.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for user in DEMO_USERS:
            out.write(f"  {user.email:<24} {user.description}")
        out.write("")
        out.write("Emails the demo sends are printed below by the task worker. Ctrl+C stops.")
        out.write("")
