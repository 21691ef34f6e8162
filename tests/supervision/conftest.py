"""A trust with a supervisor, two supervisees, a manager and a competency."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from imh_organisations.models import Membership
from imh_supervision import services
from tests.competencies.factories import CompetencyFactory
from tests.factories import UserFactory
from tests.organisations.factories import MembershipFactory, OrganisationFactory

SECRET = "Talked about the baby crying at night and how it felt"


@pytest.fixture
def world(db):
    organisation = OrganisationFactory(name="Northshire Community Trust")
    supervisor = UserFactory(first_name="Sam", last_name="Okafor")
    trainee = UserFactory(first_name="Priya", last_name="Shah")
    colleague = UserFactory(first_name="Ben", last_name="Hall")
    manager = UserFactory(first_name="Jo", last_name="Williams")
    MembershipFactory(user=supervisor, organisation=organisation, is_supervisor=True)
    MembershipFactory(user=trainee, organisation=organisation)
    MembershipFactory(user=colleague, organisation=organisation)
    MembershipFactory(user=manager, organisation=organisation, role=Membership.Role.MANAGER)
    pair = services.pair_create(
        organisation=organisation, supervisor=supervisor, supervisee=trainee, actor=manager
    )
    services.pair_create(
        organisation=organisation, supervisor=supervisor, supervisee=colleague, actor=manager
    )
    competency = CompetencyFactory()
    return SimpleNamespace(
        organisation=organisation,
        supervisor=supervisor,
        trainee=trainee,
        colleague=colleague,
        manager=manager,
        pair=pair,
        competency=competency,
    )


def record(world, *, actor=None, kind="one_to_one", supervisees=None, minutes=90, **extra):
    return services.session_record(
        actor=actor or world.supervisor,
        supervisor=world.supervisor,
        supervisees=supervisees or [world.trainee],
        kind=kind,
        held_on=extra.pop("held_on", datetime.date(2026, 3, 2)),
        duration_minutes=minutes,
        themes=extra.pop("themes", ["safeguarding"]),
        competencies=extra.pop("competencies", [world.competency]),
        notes=extra.pop("notes", SECRET),
        **extra,
    )
