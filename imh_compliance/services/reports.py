"""Inspection reports: asking for a PDF of the compliance matrix, made in the background."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imh_compliance.models import Report
from imh_compliance.selectors.matrix import MatrixFilters
from imh_core.conf import imh_setting
from imh_organisations.models import Membership, Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

# A manager's pending request younger than this is returned instead of making another one, so
# a double click (or an impatient second click) does not queue the same work twice. An older
# pending one is presumed lost (a queue that was down) and no longer blocks a new request.
DUPLICATE_WINDOW = datetime.timedelta(minutes=10)


def report_retention_days() -> int:
    """How long a report and its PDF are kept (``IMH_COMPLIANCE_REPORT_RETENTION_DAYS``).

    A year by default: it covers the usual inspection cycle, and a new report can be made any
    day.
    """
    return int(imh_setting("IMH_COMPLIANCE_REPORT_RETENTION_DAYS"))


def _report_render_enqueue(report_id: int) -> None:
    """Queue the render once the report row is committed (the task reads it from the database).

    ``robust``: a queue that is down leaves the report pending rather than failing the request;
    after ``DUPLICATE_WINDOW`` the manager can ask again.
    """
    from imh_compliance.tasks.reports import compliance_report_render_task

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
        raise PermissionDenied(_("Only managers of this organisation can make its reports."))
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


def reports_delete_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete reports (and their PDFs) made longer ago than the retention period.

    The rows go in one transaction; the files once it has committed, so a failure leaves
    every report either whole or gone (at worst a file with no row, never a row with no
    file). Returns the number of reports deleted.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=report_retention_days())
    storage = Report._meta.get_field("pdf").storage
    with transaction.atomic():
        expired = list(Report.objects.filter(created_at__lt=cutoff).values_list("pk", "pdf"))
        if not expired:
            return 0
        Report.objects.filter(pk__in=[pk for pk, _name in expired]).delete()
        names = [name for _pk, name in expired if name]

        def report_files_delete() -> None:
            for name in names:
                storage.delete(name)

        transaction.on_commit(report_files_delete, robust=True)
    return len(expired)
