"""Proposed dates of a series of check-ins, before staff confirm them.

Each occurrence aims at the same day of the month and wall-clock time as the first one and
takes the nearest free slot of the staff member around it: their working hours, days off,
imported busy times and other appointments all count. The aimed time is kept when
it is free; otherwise the first check-in's weekday and time is preferred (the Wednesday
10:00 of the week around the aimed date), then that time on another day, then the nearest free time
at all, at most SEARCH_DAYS either side.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.utils import timezone

from scheduling import availability as engine
from scheduling.selectors.availability import firm_time_zone, rules_for, staff_calendars

if TYPE_CHECKING:
    from portal.models import User
    from scheduling.models import Service

MAX_OCCURRENCES = 24
SEARCH_DAYS = 14
WEEK = 7 * 24 * 3600


@dataclass(frozen=True)
class Occurrence:
    """One proposed check-in: the date aimed at, and the free time found (None: none)."""

    aimed: dt.datetime
    start: dt.datetime | None

    @property
    def moved(self) -> bool:
        return self.start is not None and self.start != self.aimed


def _add_months(local: dt.datetime, months: int) -> dt.datetime:
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


def _preference(
    start: int, aimed: dt.datetime, first: dt.datetime, zone: ZoneInfo
) -> tuple[int, int]:
    """Lower is better: the aimed time itself, then the first check-in's weekday and time,
    then its time on another day, then any time; nearer the aimed time first."""
    distance = abs(start - engine.to_ts(aimed))
    if distance == 0:
        return 0, 0
    local = engine.from_ts(start).astimezone(zone)
    same_time = local.time() == first.time()
    if same_time and local.weekday() == first.weekday() and distance < WEEK:
        return 1, distance
    return (2 if same_time else 3), distance


def series_proposal(
    *,
    service: Service,
    staff: User,
    first_start: dt.datetime,
    count: int,
    now: dt.datetime | None = None,
) -> list[Occurrence]:
    """The dates a monthly series would take, earliest first (three queries).

    Staff book series for their clients, so the public notice and horizon do not apply;
    working hours, days off and busy times do.
    """
    now = now or timezone.now()
    count = max(1, min(count, MAX_OCCURRENCES))
    zone = ZoneInfo(staff.time_zone or firm_time_zone())
    first_local = first_start.astimezone(zone)
    aimed = [_add_months(first_local, n) for n in range(count)]
    reach = dt.timedelta(days=SEARCH_DAYS)
    window_start = max(aimed[0] - reach, now)
    window_end = aimed[-1] + reach
    calendars = staff_calendars(staff=[staff], start=window_start, end=window_end)
    rules = replace(rules_for(service, now=now), earliest=now, latest=window_end)
    free = engine.staff_free_starts(calendars[0], rules, window_start, window_end)
    duration = service.duration_minutes * 60
    span_before = service.buffer_before_minutes * 60
    span_after = service.buffer_after_minutes * 60
    chosen: list[tuple[int, int]] = []  # blocked ranges of the occurrences already placed
    result: list[Occurrence] = []
    for target in aimed:
        lo, hi = engine.to_ts(target - reach), engine.to_ts(target + reach)
        best: int | None = None
        best_key: tuple[int, int] | None = None
        for start in free:
            if start < lo:
                continue
            if start > hi:
                break
            b_start, b_end = start - span_before, start + duration + span_after
            if any(b_start < e and s < b_end for s, e in chosen):
                continue
            key = _preference(start, target, first_local, zone)
            if best_key is None or key < best_key:
                best, best_key = start, key
        if best is None:
            result.append(Occurrence(aimed=target.astimezone(dt.UTC), start=None))
            continue
        chosen.append((best - span_before, best + duration + span_after))
        result.append(Occurrence(aimed=target.astimezone(dt.UTC), start=engine.from_ts(best)))
    return result


def series_starts(proposal: Sequence[Occurrence]) -> list[dt.datetime]:
    """The free times of a proposal (every occurrence that found one)."""
    return [o.start for o in proposal if o.start is not None]
