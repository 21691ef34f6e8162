"""Performance benchmarks: `make bench` (or `python -m bench [name ...]`).

Each module `bench/bench_*.py` defines `run() -> list[Result]`. Benchmarks run against a
throwaway database built like the test suite's (PostgreSQL when DATABASE_URL is set), so
they never touch the demo's data, and compare against a baseline measured in the same run.
"""
