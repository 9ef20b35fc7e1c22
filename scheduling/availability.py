"""The availability engine: a pure function over plain intervals (no ORM, no settings).

Working hours are wall-clock times in each staff member's zone; they are expanded day by
day with zoneinfo, so a day on which the clocks change is as long as it really is. Inside,
every instant is an integer of UTC seconds: the engine runs on every slot request and the
benchmark (benchmarks/bench_availability.py) holds it to a few milliseconds.

A candidate start ``s`` for a staff member is free when
  * ``[s, s + duration)`` lies inside one of their working intervals,
  * ``[s - buffer_before, s + duration + buffer_after)`` overlaps none of their busy
    intervals (appointments are given already widened by their own buffers, exactly the
    range the database exclusion constraint compares),
  * ``s >= earliest`` (now + minimum notice) and ``s <= latest`` (now + horizon),
  * ``window_start <= s < window_end`` (the days asked for),
  * ``s`` is a whole number of steps after the start of its working interval.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import groupby, repeat
from operator import itemgetter
from zoneinfo import ZoneInfo

UTC = dt.UTC
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Interval:
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    weekday: int  # Monday is 0
    start: dt.time
    end: dt.time


@dataclass(frozen=True, slots=True)
class DateHours:
    """Hours for one date; they replace the weekly hours of that date. start None: day off."""

    date: dt.date
    start: dt.time | None = None
    end: dt.time | None = None


# A busy range as UTC seconds [start, end): what the selectors load straight from SQL.
TsRange = tuple[int, int]


@dataclass(frozen=True, slots=True)
class StaffCalendar:
    staff_id: int
    time_zone: str
    weekly: Sequence[WeeklyHours] = ()
    dates: Sequence[DateHours] = ()
    # Interval objects or (start, end) UTC seconds; the engine works on the seconds.
    busy: Sequence[Interval | TsRange] = ()


@dataclass(frozen=True, slots=True)
class Rules:
    duration: dt.timedelta
    step: dt.timedelta
    earliest: dt.datetime
    latest: dt.datetime
    buffer_before: dt.timedelta = dt.timedelta(0)
    buffer_after: dt.timedelta = dt.timedelta(0)


@dataclass(frozen=True, slots=True)
class Slot:
    start: dt.datetime
    end: dt.datetime
    staff_ids: tuple[int, ...] = field(default=())


def to_ts(value: dt.datetime) -> int:
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return int((value - _EPOCH).total_seconds())


def busy_ranges(busy: Iterable[Interval | TsRange]) -> list[TsRange]:
    """Busy ranges as UTC seconds, whichever way they were given."""
    return [
        (to_ts(b.start), to_ts(b.end)) if isinstance(b, Interval) else (b[0], b[1]) for b in busy
    ]


def from_ts(value: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(seconds=value)


def working_intervals(
    calendar: StaffCalendar, start: dt.datetime, end: dt.datetime
) -> list[tuple[int, int]]:
    """The staff member's working hours between two instants, as sorted UTC seconds."""
    zone = ZoneInfo(calendar.time_zone)
    first = start.astimezone(zone).date() - dt.timedelta(days=1)
    last = end.astimezone(zone).date() + dt.timedelta(days=1)
    by_weekday: dict[int, list[WeeklyHours]] = {}
    for rule in calendar.weekly:
        by_weekday.setdefault(rule.weekday, []).append(rule)
    by_date: dict[dt.date, list[DateHours]] = {}
    for date_rule in calendar.dates:
        by_date.setdefault(date_rule.date, []).append(date_rule)
    lo, hi = to_ts(start), to_ts(end)
    result: list[tuple[int, int]] = []
    day = first
    one_day = dt.timedelta(days=1)
    while day <= last:
        if day in by_date:
            hours = [
                (r.start, r.end) for r in by_date[day] if r.start is not None and r.end is not None
            ]
        else:
            hours = [(r.start, r.end) for r in by_weekday.get(day.weekday(), ())]
        for begin, finish in hours:
            # A wall-clock time skipped by a spring-forward change resolves to the instant
            # one hour later (PEP 495, fold=0), the way people read "we open at 2:30".
            s = int(dt.datetime.combine(day, begin, tzinfo=zone).timestamp())
            e = int(dt.datetime.combine(day, finish, tzinfo=zone).timestamp())
            s, e = max(s, lo - 86400), min(e, hi + 86400)
            if s < e:
                result.append((s, e))
        day += one_day
    result.sort()
    return _merge(result)


def _merge(intervals: Iterable[tuple[int, int]], *, touching: bool = True) -> list[tuple[int, int]]:
    """Merge sorted intervals; open ranges that only touch stay apart (touching=False)."""
    merged: list[tuple[int, int]] = []
    for s, e in intervals:
        if merged and (s <= merged[-1][1] if touching else s < merged[-1][1]):
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def staff_free_starts(
    calendar: StaffCalendar,
    rules: Rules,
    window_start: dt.datetime,
    window_end: dt.datetime,
    *,
    working: list[tuple[int, int]] | None = None,
) -> list[int]:
    """Free start instants (UTC seconds) of one staff member, ascending.

    `working`: their working_intervals for this window, when already computed.
    """
    duration = int(rules.duration.total_seconds())
    step = int(rules.step.total_seconds())
    before = int(rules.buffer_before.total_seconds())
    after = int(rules.buffer_after.total_seconds())
    if duration <= 0 or step <= 0:
        raise ValueError("duration and step must be positive")
    lo = max(to_ts(window_start), to_ts(rules.earliest))
    hi = min(to_ts(window_end) - 1, to_ts(rules.latest))  # inclusive upper bound
    if lo > hi:
        return []
    # A busy [bs, be) forbids every start in the open range (bs - duration - after, be + before).
    forbidden = _merge(
        sorted(
            (bs - duration - after, be + before) for bs, be in busy_ranges(calendar.busy) if be > bs
        ),
        touching=False,
    )
    f_ends = [f[1] for f in forbidden]
    free: list[int] = []
    if working is None:
        working = working_intervals(calendar, window_start, window_end)
    for ws, we in working:
        first, last = max(ws, lo), min(we - duration, hi)
        if first > last:
            continue
        # Allowed closed segments of [first, last] between the open forbidden ranges.
        cur = first
        i = bisect_right(f_ends, cur)
        while i < len(forbidden) and cur <= last:
            a, b = forbidden[i]
            if a >= cur:
                _grid(free, ws, step, cur, min(a, last))
            cur = max(cur, b)
            i += 1
        if cur <= last:
            _grid(free, ws, step, cur, last)
    return free


def _grid(out: list[int], origin: int, step: int, lo: int, hi: int) -> None:
    """Append the instants origin + k*step within [lo, hi]."""
    first = origin + -(-(lo - origin) // step) * step
    if first <= hi:
        out.extend(range(first, hi + 1, step))


def free_starts(
    calendars: Sequence[StaffCalendar],
    rules: Rules,
    window_start: dt.datetime,
    window_end: dt.datetime,
) -> list[tuple[int, tuple[int, ...]]]:
    """Free start instants (UTC seconds) of all the staff, ascending, with who is free.

    The integer form of free_slots: what the slots API serves without making a datetime
    per slot.
    """
    # Colleagues with the same hours in the same zone share one expansion of them.
    hours: dict[tuple[object, ...], list[tuple[int, int]]] = {}
    pairs: list[tuple[int, int]] = []
    for order, calendar in enumerate(calendars):
        key = (calendar.time_zone, tuple(calendar.weekly), tuple(calendar.dates))
        working = hours.get(key)
        if working is None:
            working = hours[key] = working_intervals(calendar, window_start, window_end)
        starts = staff_free_starts(calendar, rules, window_start, window_end, working=working)
        pairs.extend(zip(starts, repeat(order)))
    # (start, calendar order) pairs sorted and grouped by start, in C rather than a loop.
    pairs.sort()
    ids = [c.staff_id for c in calendars]
    return [
        (start, tuple(ids[order] for _s, order in group))
        for start, group in groupby(pairs, key=itemgetter(0))
    ]


def free_slots(
    calendars: Sequence[StaffCalendar],
    rules: Rules,
    window_start: dt.datetime,
    window_end: dt.datetime,
) -> list[Slot]:
    """Free slots of all the staff, one per start instant, with who is free at it."""
    duration = rules.duration
    return [
        Slot(start=(start := from_ts(s)), end=start + duration, staff_ids=ids)
        for s, ids in free_starts(calendars, rules, window_start, window_end)
    ]


def compact_slots(
    starts: Sequence[tuple[int, tuple[int, ...]]], zone: ZoneInfo
) -> list[dict[str, object]]:
    """free_starts in the slots API's shape: each start in the asked zone with its offset
    (which tells the two 02:30s of a fall-back night apart) and the ids of who is free."""
    fromtimestamp = dt.datetime.fromtimestamp
    return [{"start": fromtimestamp(s, zone).isoformat(), "staff": list(ids)} for s, ids in starts]
