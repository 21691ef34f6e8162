"""A member's record as their organisation's managers see it.

One function builds it, and both the manager's page and the member's own "what my managers
see" page render what it returns through one template, so the two cannot differ. The
competency profile is in it only while the member agrees to share it with that organisation.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from imh_accounts.choices import ProfessionalRole
from imh_certificates.models import Certificate
from imh_certificates.selectors import certificates_for_users
from imh_competencies.models import Framework
from imh_competencies.selectors import AreaStanding, competency_profile, framework_for_profile
from imh_compliance.models import Assignment
from imh_compliance.selectors.cells import member_cells
from imh_compliance.selectors.columns import Column
from imh_compliance.status import Cell
from imh_core.people import person_name
from imh_courses.selectors.learning import my_learning
from imh_organisations.models import Membership

CERTIFICATE_STATUS_LABELS = {
    "valid": (_("Valid"), "green"),
    "expired": (_("Expired"), "red"),
    "revoked": (_("Revoked"), "red"),
    "superseded": (_("Replaced"), "grey"),
}


@dataclass
class Requirement:
    """A mandatory course or pathway, where the member stands, and who assigned it."""

    column: Column
    cell: Cell
    assignment: Assignment | None

    @property
    def assigned_by_name(self) -> str:
        if self.assignment is None:
            return ""
        if self.assignment.source == Assignment.Source.RULE:
            return gettext("Mandatory training rule")
        return person_name(self.assignment.assigned_by) or gettext("A former manager")


@dataclass
class CertificateLine:
    certificate: Certificate
    status: str
    status_label: str
    colour: str


@dataclass
class FrameworkProfile:
    framework: Framework
    areas: list[AreaStanding]


@dataclass
class MemberRecord:
    membership: Membership
    name: str
    email: str
    role_label: str
    today: datetime.date
    requirements: list[Requirement] = field(default_factory=list)
    open_enrolments: list[dict[str, Any]] = field(default_factory=list)
    completed_courses: list[dict[str, Any]] = field(default_factory=list)
    certificates: list[CertificateLine] = field(default_factory=list)
    shares_profile: bool = False
    profiles: list[FrameworkProfile] = field(default_factory=list)

    @property
    def organisation(self):
        return self.membership.organisation

    @property
    def team(self) -> str:
        return self.membership.team.name if self.membership.team_id else ""

    @property
    def site(self) -> str:
        return self.membership.site.name if self.membership.site_id else ""


def _role_label(user) -> str:
    profile = getattr(user, "profile", None)
    role = getattr(profile, "professional_role", "") or ""
    if role in ProfessionalRole.values:
        return ProfessionalRole(role).label
    return gettext("Not recorded")


def _requirements(*, membership: Membership, today: datetime.date) -> list[Requirement]:
    pairs = member_cells(
        organisation=membership.organisation, user_id=membership.user_id, today=today
    )
    assignments = {
        assignment.item_key: assignment
        for assignment in Assignment.objects.filter(
            organisation_id=membership.organisation_id, user_id=membership.user_id
        ).select_related("assigned_by", "assigned_by__profile")
    }
    return [
        Requirement(column=column, cell=cell, assignment=assignments.get(column.key))
        for column, cell in pairs
    ]


def _certificates(*, user_id: int, today: datetime.date) -> list[CertificateLine]:
    lines = []
    for certificate in certificates_for_users(user_ids=[user_id]):
        status = certificate.effective_status(today)
        label, colour = CERTIFICATE_STATUS_LABELS[status]
        lines.append(CertificateLine(certificate, status, str(label), colour))
    return lines


def _profiles(*, user) -> list[FrameworkProfile]:
    """Every framework the person has evidence in; else the one /competencies/ opens on."""
    frameworks = list(
        Framework.objects.filter(competencies__evidence__user=user)
        .distinct()
        .order_by("name", "version")
    )
    if not frameworks:
        default = framework_for_profile(user=user, slug=None)
        frameworks = [default] if default is not None else []
    return [
        FrameworkProfile(framework, competency_profile(user=user, framework=framework))
        for framework in frameworks
    ]


def member_record(*, membership: Membership, today: datetime.date | None = None) -> MemberRecord:
    """Everything the managers of the membership's organisation may see about the member."""
    today = today or timezone.localdate()
    user = membership.user
    learning = my_learning(user=user)
    record = MemberRecord(
        membership=membership,
        name=person_name(user),
        email=user.email,
        role_label=_role_label(user),
        today=today,
        requirements=_requirements(membership=membership, today=today),
        open_enrolments=sorted(
            learning["assigned"] + learning["in_progress"],
            key=lambda item: item["course"].title.casefold(),
        ),
        completed_courses=learning["completed"],
        certificates=_certificates(user_id=user.pk, today=today),
        shares_profile=membership.shares_competency_profile,
    )
    if membership.shares_competency_profile:
        record.profiles = _profiles(user=user)
    return record


def own_active_memberships(*, user) -> list[Membership]:
    """The person's active memberships, for their "what my managers see" pages."""
    return list(
        Membership.objects.filter(user=user, status=Membership.Status.ACTIVE)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def own_active_membership(*, user, membership_pk: int) -> Membership:
    """One of the person's own active memberships, or 404 (a left one is a 404 too)."""
    return get_object_or_404(
        Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).select_related(
            "organisation", "user", "user__profile", "team", "site"
        ),
        pk=membership_pk,
    )
