"""Queue the periodic jobs (reminders, digests, rule syncs) when they fall due.

Run it beside the task worker; ``--once`` makes one pass and exits (for cron and tests).
SIGTERM or Ctrl+C stops it between passes, never half way through queuing a job.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connections

from imh_core.scheduler import schedules_registered, schedules_run_due

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Queue scheduled jobs (each app's, through the imh_schedules hook) on the task worker "
        "when they fall due. Each slot is queued once, even with two schedulers running."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Make one pass and exit (for cron or tests)."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=30.0,
            help="Seconds between passes (default 30).",
        )

    def handle(self, *args: Any, once: bool = False, interval: float = 30.0, **options: Any):
        if interval <= 0:
            raise CommandError("Give an interval of more than 0 seconds.")
        if once:
            self._pass()
            return
        stop = threading.Event()

        def request_stop(signum: int, frame: Any) -> None:
            stop.set()

        previous = {
            signum: signal.signal(signum, request_stop)
            for signum in (signal.SIGTERM, signal.SIGINT)
        }
        self.stdout.write("Scheduler started. Jobs:")
        for schedule in schedules_registered():
            self.stdout.write(f"  {schedule.name}: {schedule.description}")
        try:
            while not stop.is_set():
                # A long-running process must not keep a connection the database has dropped.
                close_old_connections()
                self._pass()
                stop.wait(interval)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            connections.close_all()
        self.stdout.write("Scheduler stopped.")

    def _pass(self) -> None:
        try:
            queued = schedules_run_due()
        except Exception:
            # The database may be briefly unavailable; the next pass tries again.
            logger.exception("Scheduler pass failed")
            return
        for name in queued:
            self.stdout.write(f"Queued {name}.")
