"""Wagtail hooks for certificates: the admin (in each viewsets module), tasks, data rights."""

from __future__ import annotations

import datetime

from wagtail import hooks

from imh_certificates.selectors import certificate_data_export
from imh_certificates.services import certificate_data_erase
from imh_certificates.viewsets import certificates, templates  # noqa: F401
from imh_core.hooks import (
    IMH_RECOVERABLE_TASKS,
    IMH_SCHEDULES,
    IMH_USER_DATA_ERASERS,
    IMH_USER_DATA_EXPORTERS,
)
from imh_core.scheduler import Schedule
from imh_core.task_recovery import Recoverable

# The task queue: the daily reminder run, and the PDF render that may safely run again.


@hooks.register(IMH_SCHEDULES)
def certificate_schedules() -> list[Schedule]:
    return [
        Schedule(
            name="certificate-expiry-reminders",
            task="imh_certificates.tasks_reminders.certificate_reminders_send",
            at=datetime.time(7, 0),
        ),
    ]


@hooks.register(IMH_RECOVERABLE_TASKS)
def certificate_recoverable_tasks() -> list[Recoverable]:
    # The render checks for a PDF already made, and the certificate waits on it.
    return [
        Recoverable(
            task="imh_certificates.tasks.certificate_render_pdf",
            outstanding="imh_certificates.tasks.certificate_pdfs_outstanding",
        ),
    ]


# Data rights.


@hooks.register(IMH_USER_DATA_EXPORTERS)
def certificates_exporter():
    return "certificates", certificate_data_export


@hooks.register(IMH_USER_DATA_ERASERS)
def certificates_eraser():
    # Erasure keeps issued certificates so employers can still verify them (see the eraser).
    return "certificates", certificate_data_erase
