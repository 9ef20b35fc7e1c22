"""The insights overview with one year of a 20-person firm's data (issue 16, "Speed").

Builds a throwaway database (SQLite in memory, or test_<name> on the PostgreSQL server
DATABASE_URL points to) with benchmarks/insights_data.py: 100,000 appointments, 20,000
invoices and 200,000 messages at --scale 1, with leads, fees, payments, contacts outside
the portal and feedback in proportion, written with bulk inserts. Then renders, through
the Django test client, the overview as a firm admin and as a lawyer (their own figures)
and the detail pages of two metrics, and prints for each the queries and the median time
of --repeat renders, against the same pages over a tiny dataset (the query counts must
be equal: flat in the data). Last, the time each metric's rows and value take over the
overview's twelve months, which says where the time goes.

Goal (issue 16): the overview in a flat number of queries and under 1 s on PostgreSQL.
Under `make bench` (ATRIUM_BENCH_TABLE set) the figures also go to the final table.
Usage: python benchmarks/bench_insights.py [--scale 1.0] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402
import time_machine  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

GOAL_MS = 1000
REFERENCE_SCALE = 0.01
PAGES = [
    ("overview, firm admin", "admin", "/staff/insights/"),
    ("overview, lawyer", "lawyer", "/staff/insights/"),
    ("show_rate detail, admin", "admin", "/staff/insights/show_rate/"),
    ("response_within_promise detail, admin", "admin", "/staff/insights/response_within_promise/"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 100k appointments")
    parser.add_argument("--repeat", type=int, default=3, help="renders per page (median)")
    parser.add_argument(
        "--reference", type=float, default=REFERENCE_SCALE, help="scale of the small dataset"
    )
    parser.add_argument(
        "--profile", action="store_true", help="print where one admin overview spends its time"
    )
    args = parser.parse_args()

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False
    settings.ATRIUM_REQUIRE_STAFF_MFA = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    engine = connection.vendor
    try:
        with tempfile.TemporaryDirectory(prefix="atrium-bench-insights-") as tmp:
            settings.STORAGES = {
                **settings.STORAGES,
                "default": {
                    "BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": tmp, "base_url": None},
                },
            }
            # Measured on a month's last afternoon: the current month is whole, the most an
            # overview counts live (its closed months come from their snapshots).
            with time_machine.travel(_month_end_afternoon(), tick=True):
                run(args.scale, args.repeat, engine, args.reference, profile=args.profile)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _month_end_afternoon() -> dt.datetime:
    """16:00 in the firm's zone on the last day of the month before this one."""
    zone = ZoneInfo("Europe/Warsaw")
    last = dt.datetime.now(tz=zone).date().replace(day=1) - dt.timedelta(days=1)
    return dt.datetime.combine(last, dt.time(16), tzinfo=zone)


def _render(user: Any, url: str, repeat: int) -> tuple[int, float]:
    from django.test import Client

    http = Client()
    http.force_login(user)
    response = http.get(url)  # warm: imports, templates, the calendar cache
    assert response.status_code == 200, (url, response.status_code)
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as ctx:
        http.get(url)
    queries = len(ctx.captured_queries)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        http.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return queries, statistics.median(times)


def _pages(built: Any, repeat: int) -> dict[str, tuple[int, float]]:
    who = {"admin": built.admin, "lawyer": built.lawyer}
    return {label: _render(who[role], url, repeat) for label, role, url in PAGES}


def _per_metric(built: Any) -> list[tuple[str, int, float]]:
    """Each metric's rows and value over the overview's twelve months, as the admin."""
    from django.utils import timezone

    from insights.metrics import all_metrics
    from insights.periods import MONTH, Period
    from insights.selectors.scope import insights_scope

    today = timezone.localdate()
    period = Period.containing(MONTH, today)
    results = []
    for metric in all_metrics():
        scope = insights_scope(user=built.admin, period=period)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            for piece in period.history(12):
                metric.value(metric.rows(scope.with_period(piece)))
        results.append(
            (metric.id, len(ctx.captured_queries), (time.perf_counter() - started) * 1000)
        )
    return results


def _snapshots() -> tuple[int, float]:
    """What the nightly job has written by now: every closed month of the year."""
    from django.utils import timezone

    from insights.periods import MONTH, Period
    from insights.services.snapshots import metric_snapshots_write

    now = timezone.now()
    current = Period.containing(MONTH, timezone.localdate())
    started = time.perf_counter()
    closed = current.history(13)[:-1]
    for month in closed:
        metric_snapshots_write(month=month, now=now)
    return len(closed), time.perf_counter() - started


def _profile(user: Any) -> None:
    import cProfile
    import pstats

    from django.test import Client

    http = Client()
    http.force_login(user)
    profiler = cProfile.Profile()
    profiler.enable()
    http.get("/staff/insights/")
    profiler.disable()
    print("  one admin overview, by cumulative time (project code):")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(
        r"/(insights|portal|scheduling|billing|intake|core)/", 30
    )


def run(scale: float, repeat: int, engine: str, reference: float, *, profile: bool) -> None:
    from benchmarks.insights_data import build

    # The reference: a few rows in every month (an empty month skips a selector's
    # follow-up queries, which is flat too but not equal).
    tiny = build(scale=reference)
    _snapshots()
    small = _pages(tiny, 1)
    small_metrics = {m: q for m, q, _ms in _per_metric(tiny)}
    call_command("flush", interactive=False, verbosity=0)

    started = time.perf_counter()
    built = build(scale=scale)
    build_s = time.perf_counter() - started
    if engine == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    counts = ", ".join(f"{v:,} {k}" for k, v in built.counts.items())
    print(f"insights, {engine}, scale {scale}: built in {build_s:.1f} s: {counts}")
    months, snap_s = _snapshots()
    print(f"  the nightly month-end snapshots of {months} closed months: {snap_s:.1f} s")
    big = _pages(built, repeat)

    rows: list[tuple[str, str, str, str]] = []
    print(f"  {'page':40} {'queries ' + str(reference):>14} {'queries':>8} {'median ms':>10}  goal")
    for label, _role, _url in PAGES:
        q_small, _ms = small[label]
        queries, ms = big[label]
        flat = queries == q_small
        goal = ""
        if label.startswith("overview"):
            ok = flat and ms < GOAL_MS
            goal = f"flat, < {GOAL_MS} ms {'ok' if ok else 'MISSED'}"
        else:
            goal = "flat ok" if flat else "flat MISSED"
        print(f"  {label:40} {q_small:>14} {queries:>8} {ms:>10.0f}  {goal}")
        rows.append((f"insights {label} ms", f"{ms:.0f}", goal, ""))
        rows.append((f"insights {label} queries", str(queries), f"= {q_small} (small data)", ""))
    print("  where the time goes (each metric's rows and value over twelve months, admin):")
    print(f"    {'metric':32} {'queries ' + str(reference):>14} {'queries':>8} {'ms':>8}")
    for metric_id, queries, ms in sorted(_per_metric(built), key=lambda r: -r[2]):
        print(f"    {metric_id:32} {small_metrics.get(metric_id, 0):>14} {queries:>8} {ms:>8.0f}")
    if profile:
        _profile(built.admin)
    table = os.environ.get("ATRIUM_BENCH_TABLE")
    if table:
        with open(table, "a", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
