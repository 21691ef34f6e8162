"""Timing helpers shared by the benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass
class Result:
    name: str
    median_ms: float
    p95_ms: float
    queries: int
    target: str = ""
    ratio: float | None = None

    def row(self) -> str:
        ratio = f"{self.ratio:5.2f}x" if self.ratio is not None else "      "
        return (
            f"{self.name:<44} {self.median_ms:9.2f} {self.p95_ms:9.2f} "
            f"{self.queries:7d} {ratio}  {self.target}"
        )


def measure(
    name: str, fn: Callable[[], object], *, runs: int = 50, warmup: int = 5, target: str = ""
) -> Result:
    """Median and 95th percentile wall time of ``fn`` over ``runs`` calls, and its queries."""
    for _ in range(warmup):
        fn()
    with CaptureQueriesContext(connection) as captured:
        fn()
    queries = len(captured.captured_queries)  # read now: later requests reset the query log
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return Result(name, statistics.median(timings), p95, queries, target)


def compare(result: Result, baseline: Result) -> Result:
    result.ratio = result.median_ms / baseline.median_ms if baseline.median_ms else None
    return result
