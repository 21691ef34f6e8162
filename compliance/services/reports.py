"""Inspection reports: asking for a PDF of the compliance matrix, made in the background."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from compliance.models import Report
from compliance.selectors import MatrixFilters
from organisations.models import Membership, Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

# A manager's pending request younger than this is returned instead of making another one, so
# a double click (or an impatient second click) does not queue the same work twice. An older
# pending one is presumed lost (a queue that was down) and no longer blocks a new request.
DUPLICATE_WINDOW = datetime.timedelta(minutes=10)


def _report_render_enqueue(report_id: int) -> None:
    """Queue the render once the report row is committed (the task reads it from the database).

    ``robust``: a queue that is down leaves the report pending rather than failing the request;
    after ``DUPLICATE_WINDOW`` the manager can ask again.
    """
    from compliance.tasks.reports import compliance_report_render_task

    def report_render_enqueue() -> None:
        compliance_report_render_task.enqueue(report_id)

    transaction.on_commit(report_render_enqueue, robust=True)


@transaction.atomic
def report_request(
    *, organisation: Organisation, actor: AbstractBaseUser, filters: MatrixFilters
) -> Report:
    """Ask for a PDF report of the matrix with these filters; returns the report to wait for.

    Only an active manager of the organisation may ask. If the same manager already has one
    being prepared for this organisation (asked for under ten minutes ago), that one is
    returned and nothing new is queued.
    """
    # Lock the organisation: two requests at once from the same manager make one report.
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    is_manager = Membership.objects.filter(
        organisation=organisation,
        user=actor,
        role=Membership.Role.MANAGER,
        status=Membership.Status.ACTIVE,
    ).exists()
    if not is_manager:
        raise PermissionDenied("Only managers of this organisation can make its reports.")
    pending = (
        Report.objects.filter(
            organisation=organisation,
            requested_by=actor,
            status=Report.Status.PENDING,
            created_at__gt=timezone.now() - DUPLICATE_WINDOW,
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if pending is not None:
        return pending
    report = Report(organisation=organisation, requested_by=actor, filters=filters.as_dict())
    report.full_clean()
    report.save()
    _report_render_enqueue(report.pk)
    return report
