"""The demo's supervision: Sam supervises Priya; 2 confirmed sessions, 1 waiting; idempotent."""

from __future__ import annotations

import pytest

from cms.demo_supervision import demo_supervision_load
from imh_organisations.models import Membership
from imh_supervision import selectors
from imh_supervision.models import SupervisionPair, SupervisionSession
from tests.competencies.factories import CompetencyFactory
from tests.factories import UserFactory
from tests.organisations.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_demo_supervision_loads_once():
    trust = OrganisationFactory()
    sam, priya, jo, colleague = (UserFactory() for _ in range(4))
    MembershipFactory(organisation=trust, user=priya)
    MembershipFactory(organisation=trust, user=colleague)
    MembershipFactory(organisation=trust, user=jo, role=Membership.Role.MANAGER)
    CompetencyFactory()
    CompetencyFactory()

    def load():
        demo_supervision_load(organisation=trust, supervisor=sam, trainee=priya, manager=jo)

    load()
    assert Membership.objects.get(user=sam, status="active").is_supervisor
    assert SupervisionPair.objects.filter(supervisor=sam, supervisee=priya, is_active=True).exists()
    sessions = SupervisionSession.objects.filter(supervisor=sam)
    assert sessions.filter(confirmed_at__isnull=False).count() == 2
    assert sessions.filter(kind="group", confirmed_at__isnull=False).count() == 1
    waiting = sessions.get(confirmed_at__isnull=True)
    assert [s.pk for s in selectors.awaiting_confirmation_by(user=priya)] == [waiting.pk]
    counts = (SupervisionPair.objects.count(), SupervisionSession.objects.count())
    load()
    assert (SupervisionPair.objects.count(), SupervisionSession.objects.count()) == counts
