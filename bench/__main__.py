"""Run the benchmarks on a throwaway database and print one table."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys


def setup() -> None:
    """Django with the test settings, logging only what is news."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    # Building the pages and running their tasks logs a line for each page and task at INFO;
    # only the table (and warnings and errors, such as a failed task) belongs in the output.
    # DJANGO_LOG_LEVEL=INFO brings the rest back.
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()


def main(argv: list[str]) -> int:
    setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, keepdb=True, serialize=False)
    wanted = set(argv)
    modules = sorted(
        name
        for _, name, _ in pkgutil.iter_modules([os.path.dirname(__file__)])
        if name.startswith("bench_")
    )
    print(f"{'benchmark':<44} {'median ms':>9} {'p95 ms':>9} {'queries':>7} {'ratio':>6}  target")
    try:
        for name in modules:
            if wanted and name.removeprefix("bench_") not in wanted:
                continue
            module = importlib.import_module(f"bench.{name}")
            for result in module.run():
                print(result.row(), flush=True)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
