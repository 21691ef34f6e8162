"""Wagtail hooks for compliance: its group in the Learning menu, tasks, data rights."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext
from wagtail import hooks

from imh_compliance.privacy import user_data_erase, user_data_export
from imh_compliance.viewsets import ComplianceViewSetGroup
from imh_core.hooks import (
    IMH_PAGE_LINKS,
    IMH_RECOVERABLE_TASKS,
    IMH_SCHEDULES,
    IMH_USER_DATA_ERASERS,
    IMH_USER_DATA_EXPORTERS,
)
from imh_core.scheduler import Schedule
from imh_core.task_recovery import Recoverable


@hooks.register("register_admin_viewset")
def register_compliance_viewsets() -> ComplianceViewSetGroup:
    return ComplianceViewSetGroup()


@hooks.register(IMH_PAGE_LINKS)
def compliance_page_links(place: str, request, **objects) -> list[dict[str, str]]:
    """Organisations' pages link to what managers see: organisations cannot name these URLs."""
    if place == "organisations:membership":
        url = reverse("imh_compliance:my_record", args=[objects["membership"].pk])
        return [{"label": gettext("What your managers can see"), "url": url}]
    if place == "organisations:manage":
        url = reverse("imh_compliance:dashboard", args=[objects["organisation"].pk])
        return [{"label": gettext("Staff compliance"), "url": url}]
    return []


@hooks.register(IMH_USER_DATA_EXPORTERS)
def compliance_exporter():
    return "compliance", user_data_export


@hooks.register(IMH_USER_DATA_ERASERS)
def compliance_eraser():
    return "compliance", user_data_erase


# The task queue: the nightly rule runs, reminders and digests, and the tasks that may
# safely run again after their worker died.


@hooks.register(IMH_SCHEDULES)
def compliance_schedules() -> list[Schedule]:
    return [
        Schedule(
            name="compliance-rules-sync",
            task="imh_compliance.tasks.assignments.rules_sync_task",
            at=datetime.time(2, 0),
        ),
        Schedule(
            name="compliance-renewals",
            task="imh_compliance.tasks.assignments.renewals_assign_task",
            at=datetime.time(2, 0),
        ),
        Schedule(
            name="compliance-reports-expire",
            task="imh_compliance.tasks.reports.reports_delete_expired_task",
            at=datetime.time(3, 0),
        ),
        Schedule(
            name="compliance-reminders",
            task="imh_compliance.tasks.reminders.compliance_reminders_task",
            at=datetime.time(7, 15),
        ),
        Schedule(
            name="compliance-digest",
            task="imh_compliance.tasks.reminders.compliance_digests_task",
            at=datetime.time(7, 30),
            weekday=0,
        ),
    ]


@hooks.register(IMH_RECOVERABLE_TASKS)
def compliance_recoverable_tasks() -> list[Recoverable]:
    # Each checks what is already done; the database stops a second copy of anything made.
    return [
        Recoverable(
            task="imh_compliance.tasks.reports.compliance_report_render_task",
            outstanding="imh_compliance.tasks.reports.reports_outstanding",
        ),
        Recoverable(task="imh_compliance.tasks.assignments.rule_apply_task"),
        Recoverable(task="imh_compliance.tasks.assignments.rules_sync_task"),
        Recoverable(task="imh_compliance.tasks.assignments.renewals_assign_task"),
    ]
