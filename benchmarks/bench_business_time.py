"""Business time alone: one 30-day span, and 10,000 message waits as the insights pages measure them.

Prints the median and p95 of repeated runs for a calendar in three states: cold (every
cache emptied: the first page view after a restart), rebuilt (a new calendar per run, as a
request builds it from the database; it reuses the years expanded for an equal calendar)
and reused (one calendar object across runs). The firm: Warsaw, Mon-Thu 9-13 and 14-17, Fri 9-14, Polish holidays, two
closure days; the waits start at random instants of one year and last 5 minutes to 10 days.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.business_time import (  # noqa: E402
    BusinessCalendar,
    _year_layout,
    _years_timeline,
    public_holidays,
)

T = dt.time
YEAR_START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def calendar() -> BusinessCalendar:
    weekly = {**{day: [(T(9), T(13)), (T(14), T(17))] for day in range(4)}, 4: [(T(9), T(14))]}
    return BusinessCalendar.from_weekly(
        time_zone="Europe/Warsaw",
        weekly=weekly,
        country="PL",
        closures=[dt.date(2026, 5, 4), dt.date(2026, 12, 31)],
    )


def waits(n: int, seed: int = 11) -> list[tuple[dt.datetime, dt.datetime]]:
    rng = random.Random(seed)
    result = []
    for _ in range(n):
        start = YEAR_START + dt.timedelta(minutes=rng.randrange(365 * 24 * 60))
        result.append((start, start + dt.timedelta(minutes=rng.randrange(5, 10 * 24 * 60))))
    return result


def cold() -> BusinessCalendar:
    _years_timeline.cache_clear()
    _year_layout.cache_clear()
    public_holidays.cache_clear()
    return calendar()


def measure(run: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waits", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    # A March span: it contains the spring clock change.
    a = dt.datetime(2026, 3, 10, 14, 37, tzinfo=dt.UTC)
    b = a + dt.timedelta(days=30)
    warm = calendar()
    warm.business_hours_between(a, b)
    rows = waits(args.waits)
    pick = random.Random(5)
    due_hours = [pick.choice([4, 8, 24, 48]) for _ in rows]

    print(f"business_hours_between over 30 days = {warm.business_hours_between(a, b):.2f} h")
    figures = [
        ("30-day span, cold", lambda: cold().business_hours_between(a, b), 1),
        ("30-day span, rebuilt calendar", lambda: calendar().business_hours_between(a, b), 1),
        ("30-day span, reused calendar", lambda: warm.business_hours_between(a, b), 1),
        (f"{args.waits:,} waits, cold", lambda: _all_waits(cold(), rows), args.waits),
        (
            f"{args.waits:,} waits, rebuilt calendar",
            lambda: _all_waits(calendar(), rows),
            args.waits,
        ),
        (f"{args.waits:,} waits, reused calendar", lambda: _all_waits(warm, rows), args.waits),
        (
            f"{args.waits:,} promise due times (add_business_hours), reused calendar",
            lambda: _all_dues(warm, rows, due_hours),
            args.waits,
        ),
    ]
    for label, run, count in figures:
        median, p95 = measure(run, args.runs)
        per = f", {median * 1000 / count:.1f} us each" if count > 1 else ""
        print(f"{label}: median {median:.3f} ms, p95 {p95:.3f} ms{per}")


def _all_waits(cal: BusinessCalendar, rows: list[tuple[dt.datetime, dt.datetime]]) -> float:
    return sum(cal.business_hours_between(start, end) for start, end in rows)


def _all_dues(
    cal: BusinessCalendar, rows: list[tuple[dt.datetime, dt.datetime]], hours: list[int]
) -> list[dt.datetime]:
    return [cal.add_business_hours(start, h) for (start, _end), h in zip(rows, hours, strict=True)]


if __name__ == "__main__":
    main()
