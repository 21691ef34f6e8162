"""Run the real ``db_worker`` command for a test, in its own process.

``python -m tests.core.task_worker [db_worker options]``, with ``DJANGO_SETTINGS_MODULE``
set to ``tests.core.worker_settings``. With ``IMH_TEST_HANG_IN_RENDER`` set to a file path,
every certificate render creates that file and then hangs, so the test knows the worker is
mid-render when it kills it.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def _hang_in_render(marker: Path) -> None:
    from imh_certificates import rendering

    def render(**kwargs):
        marker.write_text(str(os.getpid()))
        time.sleep(600)
        raise AssertionError("The test should have killed this worker by now.")

    rendering.certificate_pdf = render


def main(argv: list[str]) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    if marker := os.environ.get("IMH_TEST_HANG_IN_RENDER"):
        _hang_in_render(Path(marker))
    call_command("db_worker", *argv)


if __name__ == "__main__":
    main(sys.argv[1:])
