"""Loading timestamptz values on PostgreSQL: Django's loader against the project's backend.

Django's PostgreSQL backend parses every timestamptz in Python (its loader subclasses
psycopg's pure-Python one, psycopg #1273, Django ticket #36960); the project's backend,
``core.postgresql``, leaves psycopg's C loader in place (core/postgresql/base.py). This
reads the same ``--values`` timestamptz values (40,000 by default, no table needed: the
query runs on the server's ``postgres`` database) through both and prints the median of
``--runs`` runs. Needs DATABASE_URL on PostgreSQL; on SQLite it says so and exits.

Usage: DATABASE_URL=postgres://... python benchmarks/bench_timestamptz.py [--values 40000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connections  # noqa: E402
from django.db.backends.postgresql import base as django_backend  # noqa: E402

SQL = (
    "SELECT timestamptz '2026-03-29 00:00:00.25+00' + g * interval '1.5 seconds'"
    " FROM generate_series(1, %s) AS g"
)


def timed(wrapper: Any, values: int, runs: int) -> tuple[float, Any]:
    """Median wall time in ms of executing and fetching the values, and the last rows."""
    times, rows = [], None
    for _ in range(runs + 1):  # the first run warms the connection up
        with wrapper.cursor() as cursor:
            start = time.perf_counter()
            cursor.execute(SQL, [values])
            rows = cursor.fetchall()
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[1:]), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=int, default=40_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not settings.IS_POSTGRES:
        print("timestamptz loader: PostgreSQL only (set DATABASE_URL); skipped on SQLite")
        return

    # The server's maintenance database: the query needs no table. Both wrappers answer
    # to the alias "default" (django.contrib.postgres looks its connection up by alias).
    project = connections["default"]
    project.settings_dict["NAME"] = "postgres"
    wrappers = {
        "Django's backend (Python loader)": django_backend.DatabaseWrapper(
            dict(project.settings_dict), alias="default"
        ),
        "core.postgresql (psycopg's C loader)": project,
    }
    results = {}
    try:
        for label, wrapper in wrappers.items():
            results[label] = timed(wrapper, args.values, args.runs)
    finally:
        for wrapper in wrappers.values():
            wrapper.close()
    (slow, slow_rows), (fast, fast_rows) = results.values()
    if slow_rows != fast_rows or any(
        a[0].tzinfo is not b[0].tzinfo for a, b in zip(slow_rows, fast_rows, strict=True)
    ):
        sys.exit("the two backends returned different values")
    print(f"timestamptz loader: {args.values:,} values, median of {args.runs} runs")
    for label, (ms, _rows) in results.items():
        print(f"  {label:<38} {ms:8.1f} ms  {ms * 1000 / args.values:6.2f} us/value")
    print(f"  {'same values, same tzinfo; speed-up':<38} {slow / fast:8.1f} x")


if __name__ == "__main__":
    main()
