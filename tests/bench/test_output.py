"""`make bench` prints its table, not a log line for every page and task it makes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

# What the benchmarks' set-up logs: Wagtail for each page, django-tasks for each task run.
SCRIPT = """
import logging

from bench.__main__ import setup

setup()
logging.getLogger("wagtail").info('Page created: "Lesson 1" id=7')
logging.getLogger("django_tasks").info("Task id=abc path=wagtail.tasks.x state=RUNNING")
logging.getLogger("django_tasks").info("Task id=abc path=wagtail.tasks.x state=SUCCESSFUL")
logging.getLogger("django_tasks").error("Task id=def path=imh_certificates.tasks.y state=FAILED")
"""


def _run(**extra_env: str) -> str:
    ignored = {"DJANGO_LOG_LEVEL", "DJANGO_SETTINGS_MODULE"}
    env = {name: value for name, value in os.environ.items() if name not in ignored}
    result = subprocess.run(  # noqa: S603 (a fixed command line)
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env={**env, **extra_env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout + result.stderr


def test_benchmarks_log_only_warnings_and_errors():
    output = _run()

    assert "Page created" not in output
    assert "state=RUNNING" not in output
    assert "state=SUCCESSFUL" not in output
    assert "state=FAILED" in output, "a failed task is still reported"


def test_benchmark_logging_can_be_turned_back_up():
    output = _run(DJANGO_LOG_LEVEL="INFO")

    assert "Page created" in output
    assert "state=SUCCESSFUL" in output
