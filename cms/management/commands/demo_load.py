"""Load the demo: people, organisations, site settings and pages. Safe to run again."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db import transaction
from wagtail.models import Site

from cms.demo import ACCESSIBILITY_BODY, DEMO_PASSWORD, DEMO_USERS, HOME_BODY, DemoUser
from cms.demo_certificates import demo_certificate_load
from cms.demo_competencies import demo_competencies_load
from cms.demo_compliance import demo_compliance_load
from cms.demo_courses import demo_courses_load
from cms.demo_h5p import demo_h5p_load
from cms.demo_programmes import demo_programmes_load
from cms.demo_recognition import demo_recognition_load
from cms.demo_register import demo_register_load
from cms.demo_reliability import demo_reliability_load
from cms.demo_supervision import demo_supervision_load
from cms.models import HomePage, SiteSettings, StandardPage
from cms.services import default_site_address_update
from imh_accounts.services import profile_update
from imh_organisations.models import Membership, Organisation, OrganisationType
from imh_organisations.services import (
    membership_create_active,
    membership_request_by_code,
    organisation_create,
)
from imh_reliability.synthetic import SyntheticClipUnavailable

TRUST = {
    "name": "Northshire Community Health NHS Trust",
    "type": OrganisationType.NHS_TRUST,
    "ods": "DEMO1",
}
NURSERY = {"name": "Little Acorns Day Nursery", "type": OrganisationType.NURSERY, "ods": ""}


class Command(BaseCommand):
    help = "Load the demo content (idempotent: running it again duplicates nothing)."

    @transaction.atomic
    def handle(self, *args, **options):
        users = {demo.key: self._user(demo) for demo in DEMO_USERS}
        users["admin"].is_superuser = users["admin"].is_staff = True
        users["admin"].save(update_fields=["is_superuser", "is_staff"])
        users["educator"].groups.add(Group.objects.get(name="Educators"))

        trust = self._organisation(TRUST)
        nursery = self._organisation(NURSERY)
        self._member(trust, users["trainee"], Membership.Role.STAFF)
        self._member(trust, users["manager"], Membership.Role.MANAGER)
        self._member(nursery, users["nursery"], Membership.Role.MANAGER)
        if not Membership.objects.filter(user=users["newstarter"], organisation=nursery).exists():
            membership_request_by_code(user=users["newstarter"], code=nursery.join_code)

        self._site()
        demo_courses_load(facilitator=users["educator"], trainee=users["trainee"])
        framework = demo_competencies_load(educator=users["educator"], trainee=users["trainee"])
        demo_programmes_load(
            framework=framework, educator=users["educator"], trainee=users["trainee"]
        )
        demo_certificate_load(holder=users["nursery"])
        demo_compliance_load(organisation=trust, manager=users["manager"], trainee=users["trainee"])
        # After the compliance records: their past course completions predate the required
        # H5P activity (lessons marked complete by hand cannot skip a required activity).
        demo_h5p_load(educator=users["educator"])
        try:
            demo_reliability_load(educator=users["educator"], trainee=users["trainee"])
        except SyntheticClipUnavailable as exc:
            self.stderr.write(f"The observation reliability demo was not loaded: {exc}")
        demo_supervision_load(
            organisation=trust,
            supervisor=users["educator"],
            trainee=users["trainee"],
            manager=users["manager"],
        )
        demo_recognition_load(
            framework=framework,
            educator=users["educator"],
            trainee=users["trainee"],
            assessor=users["assessor"],
        )
        demo_register_load(
            framework=framework,
            manager=users["manager"],
            nursery=users["nursery"],
            assessor=users["assessor"],
        )
        self.stdout.write(self.style.SUCCESS("Demo content is loaded."))

    def _user(self, demo: DemoUser):
        User = get_user_model()
        user, _ = User.objects.get_or_create(username=demo.key, defaults={"email": demo.email})
        user.email = demo.email
        user.first_name = demo.first_name
        user.last_name = demo.last_name
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=demo.email, defaults={"verified": True, "primary": True}
        )
        profile_update(
            user=user,
            full_name=f"{demo.first_name} {demo.last_name}",
            professional_role=demo.role,
            job_title=demo.job_title,
        )
        return user

    def _organisation(self, spec: dict) -> Organisation:
        existing = Organisation.objects.filter(name=spec["name"]).first()
        if existing is not None:
            return existing
        return organisation_create(
            name=spec["name"], organisation_type=spec["type"], ods_code=spec["ods"]
        )

    def _member(self, organisation: Organisation, user, role: str) -> None:
        current = Membership.objects.filter(
            organisation=organisation, user=user, status=Membership.Status.ACTIVE
        ).first()
        if current is None:
            membership_create_active(organisation=organisation, user=user, role=role)

    def _site(self) -> None:
        # Pages' full URLs follow the address emails and certificates use.
        try:
            site = default_site_address_update()
        except ValidationError as exc:
            self.stderr.write(f"The default site's address is unchanged: {' '.join(exc.messages)}")
            site = Site.objects.get(is_default_site=True)
        settings = SiteSettings.for_site(site)
        settings.platform_name = "IMH Learning"
        settings.support_email = "support@example.org"
        settings.save()

        # Pages are written once: running the command again leaves them (and any edits made
        # in the admin since) alone rather than stacking up identical revisions.
        home = HomePage.objects.get(pk=site.root_page_id)
        if not home.body:
            home.hero_heading = "Infant mental health training"
            home.hero_text = (
                "Online lessons, live sessions and CPD certificates for everyone who works with "
                "babies and their families."
            )
            home.body = HOME_BODY
            home.save_revision().publish()

        if not StandardPage.objects.child_of(home).filter(slug="accessibility").exists():
            page = home.add_child(
                instance=StandardPage(
                    title="Accessibility statement",
                    slug="accessibility",
                    introduction=(
                        "How accessible this platform is, and how to tell us about a problem."
                    ),
                    body=ACCESSIBILITY_BODY,
                )
            )
            page.save_revision().publish()
