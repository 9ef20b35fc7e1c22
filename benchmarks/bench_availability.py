"""The availability engine alone: 10 staff x 30 days with 800 and 8000 busy intervals.

Prints the median and p95 of repeated runs. Targets (issue 4): median <= 5 ms for 800
busy intervals; 10x the busy intervals at most 15x the time.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scheduling.availability import (  # noqa: E402
    Interval,
    Rules,
    StaffCalendar,
    WeeklyHours,
    free_slots,
)

START = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
END = START + dt.timedelta(days=30)
ZONES = ["Europe/Warsaw", "Europe/London", "America/New_York", "Europe/Madrid"]


def calendars(busy_total: int, seed: int = 7) -> list[StaffCalendar]:
    rng = random.Random(seed)
    result = []
    for staff_id in range(10):
        busy = []
        for _ in range(busy_total // 10):
            start = START + dt.timedelta(minutes=rng.randrange(0, 30 * 24 * 60, 5))
            busy.append(Interval(start, start + dt.timedelta(minutes=rng.choice([15, 30, 60]))))
        result.append(
            StaffCalendar(
                staff_id=staff_id,
                time_zone=ZONES[staff_id % len(ZONES)],
                weekly=[WeeklyHours(d, dt.time(9), dt.time(17)) for d in range(5)],
                busy=busy,
            )
        )
    return result


def measure(busy_total: int, runs: int = 60) -> tuple[float, float, int]:
    cals = calendars(busy_total)
    rules = Rules(
        duration=dt.timedelta(minutes=30),
        step=dt.timedelta(minutes=15),
        earliest=START,
        latest=END,
        buffer_before=dt.timedelta(minutes=5),
        buffer_after=dt.timedelta(minutes=10),
    )
    times = []
    slots = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        slots = len(free_slots(cals, rules, START, END))
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], slots


def main() -> None:
    base_median, base_p95, base_slots = measure(800)
    big_median, big_p95, big_slots = measure(8000)
    print("availability engine, 10 staff x 30 days")
    print(
        f"  800 busy:  median {base_median:.2f} ms  p95 {base_p95:.2f} ms  "
        f"({base_slots} slot starts)  target median <= 5 ms: "
        f"{'OK' if base_median <= 5 else 'OVER'}"
    )
    ratio = big_median / base_median
    print(
        f"  8000 busy: median {big_median:.2f} ms  p95 {big_p95:.2f} ms  "
        f"({big_slots} slot starts)  ratio {ratio:.1f}x  target <= 15x: "
        f"{'OK' if ratio <= 15 else 'OVER'}"
    )


if __name__ == "__main__":
    main()
