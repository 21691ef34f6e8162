"""Set-up shared by the member record, access log, structure and privacy tests."""

from __future__ import annotations

import datetime

from django.utils import timezone

from imh_competencies import services as competency_services
from imh_competencies.models import Evidence
from imh_compliance.models import Assignment
from tests.competencies.factories import AreaFactory, CompetencyFactory, FrameworkFactory
from tests.factories import UserFactory
from tests.organisations.factories import (
    ManagerMembershipFactory,
    MembershipFactory,
    OrganisationFactory,
)


class World:
    """Two organisations, each with a manager and a member of staff."""

    def __init__(self) -> None:
        self.organisation = OrganisationFactory(name="Riverside Nursery")
        self.manager = ManagerMembershipFactory(
            organisation=self.organisation,
            user=UserFactory(first_name="Morgan", last_name="Manager"),
        ).user
        self.membership = MembershipFactory(
            organisation=self.organisation,
            user=UserFactory(first_name="Sam", last_name="Staff"),
        )
        self.member = self.membership.user
        self.other_organisation = OrganisationFactory(name="Hillside NHS Trust")
        self.other_manager = ManagerMembershipFactory(
            organisation=self.other_organisation,
            user=UserFactory(first_name="Olly", last_name="Other"),
        ).user
        self.other_membership = MembershipFactory(
            organisation=self.other_organisation,
            user=UserFactory(first_name="Pat", last_name="Elsewhere"),
        )


def assign(*, organisation, user, course, due_on: datetime.date, by=None) -> Assignment:
    return Assignment.objects.create(
        organisation=organisation,
        user=user,
        course=course,
        due_on=due_on,
        source=Assignment.Source.MANAGER if by else Assignment.Source.RULE,
        assigned_by=by,
    )


def competency_evidence(user, *, short_name: str = "Attunement", title: str = "Attachment quiz"):
    """A framework with one competency, and met evidence of it for ``user``."""
    framework = FrameworkFactory(name="Infant mental health competencies")
    area = AreaFactory(framework=framework, code="A1", name="Relationships")
    competency = CompetencyFactory(area=area, code="1.1", short_name=short_name)
    competency_services.evidence_record(
        user=user,
        source=UserFactory(),  # a saved row standing in for a quiz attempt
        kind=Evidence.Kind.QUIZ,
        competencies=[(competency, 2)],
        occurred_on=timezone.localdate(),
        title=title,
    )
    return competency
