"""Background work for inspection reports: rendering the PDF of the compliance matrix.

The matrix is worked out when the task runs, with the filters saved on the report, so the PDF
shows the records as they stood when it was made (and says when that was).
"""

from __future__ import annotations

import datetime
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from imh_compliance import exports
from imh_compliance.models import Report
from imh_compliance.selectors.matrix import MatrixFilters, compliance_matrix
from imh_compliance.selectors.reliability import reliability_table
from imh_core.people import person_name
from imh_core.tasks import task

logger = logging.getLogger(__name__)

ERROR_MAX_LENGTH = 2000


@task()
def reports_delete_expired_task() -> str:
    """Delete inspection reports older than the retention period, with their PDFs."""
    from imh_compliance.services.reports import reports_delete_expired

    return f"deleted {reports_delete_expired()}"


@task()
def compliance_report_render_task(report_id: int) -> str:
    """Render and store one report's PDF; returns what happened, for the task log."""
    return report_render(report_id=report_id)


def report_render(*, report_id: int) -> str:
    report = (
        Report.objects.select_related("organisation", "requested_by").filter(pk=report_id).first()
    )
    if report is None:
        return "missing"
    if report.status != Report.Status.PENDING:
        return f"already {report.status}"
    generated_at = timezone.now()
    try:
        filters = MatrixFilters.from_dict(report.filters or {})
        matrix = compliance_matrix(
            organisation=report.organisation,
            filters=filters,
            today=timezone.localdate(generated_at),
        )
        reliability = reliability_table(
            user_ids=[row.user_id for row in matrix.rows], today=matrix.today
        )
        pdf = exports.report_pdf(
            matrix=matrix,
            reliability=reliability,
            filters=filters,
            requested_by_name=person_name(report.requested_by) or gettext("a former manager"),
            generated_at=generated_at,
        )
    except Exception as error:
        logger.exception("Compliance report %s: the PDF could not be made", report_id)
        return _record_failure(report_id=report_id, error=error)
    return _record_success(report_id=report_id, pdf=pdf, generated_at=generated_at)


def reports_outstanding(*, before: datetime.datetime) -> list[int]:
    """Ids of reports asked for before ``before`` and still being prepared; the site's task
    recovery queues a render for any that have no task queued."""
    return list(
        Report.objects.filter(status=Report.Status.PENDING, created_at__lt=before)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def _record_success(*, report_id: int, pdf: bytes, generated_at) -> str:
    report = (
        Report.objects.select_for_update().select_related("organisation").filter(pk=report_id)
    ).first()
    if report is None:
        return "missing"
    if report.status != Report.Status.PENDING:
        return f"already {report.status}"  # another worker finished first
    local = timezone.localtime(generated_at)
    name = f"compliance-{report.organisation.slug}-{local:%Y-%m-%d-%H%M}-{report.pk}.pdf"
    report.pdf.save(name, ContentFile(pdf), save=False)
    report.status = Report.Status.READY
    report.error = ""
    report.finished_at = timezone.now()
    report.save(update_fields=["pdf", "status", "error", "finished_at"])
    return "ready"


@transaction.atomic
def _record_failure(*, report_id: int, error: BaseException) -> str:
    report = Report.objects.select_for_update().filter(pk=report_id).first()
    if report is None:
        return "missing"
    if report.status != Report.Status.PENDING:
        return f"already {report.status}"
    report.status = Report.Status.FAILED
    report.error = f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]
    report.finished_at = timezone.now()
    report.save(update_fields=["status", "error", "finished_at"])
    return "failed"
