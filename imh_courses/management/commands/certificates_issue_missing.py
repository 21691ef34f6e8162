"""Issue any certificate a completion should have but does not (safe to run at any time)."""

from django.core.management.base import BaseCommand

from imh_courses.services.certificates import certificates_issue_missing


class Command(BaseCommand):
    help = "Issue the certificates of course and pathway completions that have none."

    def handle(self, *args, **options):
        issued = certificates_issue_missing()
        self.stdout.write(f"Issued {issued} missing certificate{'s' if issued != 1 else ''}.")
