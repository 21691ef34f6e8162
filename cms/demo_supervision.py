"""The demo's reflective supervision: Sam Okafor supervises Priya Shah at the demo trust.

Sam becomes an active member of the trust named as a supervisor, is paired with Priya and
with one more member of staff, and has three sessions with them: a one-to-one and a group
session that everyone confirmed, and a one-to-one waiting for Priya's confirmation. The
notes are made up for the demo. Safe to run again: nothing is added twice.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from imh_competencies.models import Competency
from imh_organisations.models import Membership, Organisation
from imh_organisations.services import membership_create_active, membership_set_supervisor
from imh_supervision import services
from imh_supervision.models import SupervisionPair, SupervisionSession


def _member(organisation: Organisation, user, manager) -> Membership:
    membership = Membership.objects.filter(
        organisation=organisation, user=user, status=Membership.Status.ACTIVE
    ).first()
    return membership or membership_create_active(
        organisation=organisation, user=user, actor=manager
    )


def _pair(organisation: Organisation, supervisor, supervisee, manager) -> None:
    if not SupervisionPair.objects.filter(
        organisation=organisation, supervisor=supervisor, supervisee=supervisee, is_active=True
    ).exists():
        services.pair_create(
            organisation=organisation,
            supervisor=supervisor,
            supervisee=supervisee,
            actor=manager,
            starts_on=timezone.localdate() - datetime.timedelta(days=120),
        )


def demo_supervision_load(*, organisation: Organisation, supervisor, trainee, manager) -> None:
    membership = _member(organisation, supervisor, manager)
    if not membership.is_supervisor:
        membership_set_supervisor(membership=membership, is_supervisor=True, actor=manager)
    _pair(organisation, supervisor, trainee, manager)
    colleague_membership = (
        Membership.objects.filter(
            organisation=organisation, status=Membership.Status.ACTIVE, role="staff"
        )
        .exclude(user__in=[supervisor, trainee, manager])
        .order_by("pk")
        .first()
    )
    if SupervisionSession.objects.filter(supervisor=supervisor, organisation=organisation).exists():
        return
    competencies = list(Competency.objects.order_by("framework_id", "sort_order", "pk")[:2])
    today = timezone.localdate()
    one_to_one = services.session_record(
        actor=supervisor,
        supervisor=supervisor,
        supervisees=[trainee],
        kind=SupervisionSession.Kind.ONE_TO_ONE,
        held_on=today - datetime.timedelta(days=42),
        duration_minutes=60,
        themes=["relationship", "emotional_impact"],
        competencies=competencies,
        notes=(
            "Demo notes, made up for the demo. We reflected on a home visit with a first-time "
            "mother and how the baby's cues were read."
        ),
    )
    services.session_confirm(session=one_to_one, actor=trainee)
    if colleague_membership is not None:
        colleague = colleague_membership.user
        _pair(organisation, supervisor, colleague, manager)
        group = services.session_record(
            actor=supervisor,
            supervisor=supervisor,
            supervisees=[trainee, colleague],
            kind=SupervisionSession.Kind.GROUP,
            held_on=today - datetime.timedelta(days=21),
            duration_minutes=90,
            themes=["case_review", "observation"],
            competencies=competencies[:1],
            notes="Demo notes, made up for the demo. Group case discussion.",
        )
        services.session_confirm(session=group, actor=trainee)
        services.session_confirm(session=group, actor=colleague)
    services.session_record(
        actor=supervisor,
        supervisor=supervisor,
        supervisees=[trainee],
        kind=SupervisionSession.Kind.ONE_TO_ONE,
        held_on=today - datetime.timedelta(days=3),
        duration_minutes=45,
        themes=["safeguarding"],
        competencies=competencies[1:],
        notes="Demo notes, made up for the demo. Waiting for Priya to confirm.",
    )
