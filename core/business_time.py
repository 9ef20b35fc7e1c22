"""Business time: a firm's opening hours, closures and public holidays (pure: no ORM, no settings).

A ``BusinessCalendar`` is built from plain data: an IANA time zone, weekly opening hours
(any number of intervals per weekday, so Friday can close early and lunch can be a break),
the firm's closure dates, and the public holidays the ``holidays`` library knows for a
country and optional subdivision.

Definitions (every function below follows them):

* A **business day** is a date on whose weekday the firm has opening hours and which is
  neither a firm closure nor a public holiday.
* The firm **is open** at an instant when, read on the firm's wall clock, that instant's
  date is a business day and its time of day lies in one of the weekday's intervals
  ``[opens, closes)``: open at 9:00, closed again at 17:00 sharp.
* **Business time** between two instants is the real time elapsed between them during
  which the firm is open. Opening hours are wall-clock times, expanded day by day in the
  firm's zone, so a 9:00 to 17:00 day is 8 business hours on the day the clocks change as
  on any other; only an interval that itself contains the change (an office open through
  the night) is as long as it really is, because that is how long a client waited.

Instants must be timezone-aware; a naive datetime raises ``NaiveDatetimeError``. Inside,
instants are integers of UTC microseconds, so ``add_business_time`` is the exact inverse of
``business_time_between``. A calendar expands whole years of open spans once, with running
totals, so each question afterwards is a binary search or two: the insights pages ask
thousands (benchmarks/bench_business_time.py). The expansion is cached by the calendar's
value, so a calendar rebuilt from the database on each request reuses it; a change of
hours, closures or region is a different value and is expanded afresh.
"""

from __future__ import annotations

import datetime as dt
import functools
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

__all__ = [
    "BusinessCalendar",
    "NaiveDatetimeError",
    "OpeningHours",
    "public_holidays",
    "weekday_hours",
]

_UTC = dt.UTC
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=_UTC)
_US = dt.timedelta(microseconds=1)
_SECOND = 1_000_000
_HOUR = 3600 * _SECOND
_DAY = 24 * _HOUR
_EPOCH_ORDINAL = _EPOCH.toordinal()
# A wall-clock date is within a day of the UTC date; two more keep neighbours in view.
_MARGIN_DAYS = 3
_DAY_SECONDS = 24 * 3600
# How far ahead next_opening / add_business_time look before giving up: a firm closed for
# ten years has no next opening worth computing.
_SEARCH_DAYS = 3660
# Any instant whose wall-clock date is D lies within this much of D's midnight read as UTC
# (UTC offsets stay within -12 h and +14 h).
_ZONE_REACH = 26 * _HOUR


class NaiveDatetimeError(ValueError):
    """A datetime without a time zone was given where an instant is needed."""


@dataclass(frozen=True, order=True, slots=True)
class OpeningHours:
    """One opening interval on a weekday (Monday is 0), wall-clock time in the firm's zone.

    ``closes`` of ``time(0)`` means midnight at the end of the day. Intervals never span
    midnight: an office open 22:00 to 02:00 is two intervals on two weekdays.
    """

    weekday: int
    opens: dt.time
    closes: dt.time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}")
        for value in (self.opens, self.closes):
            if value.tzinfo is not None:
                raise ValueError("opening hours are wall-clock times without a time zone")
        if self.closes_second <= self.opens_second:
            raise ValueError(
                f"an interval must close after it opens ({self.opens} to {self.closes})"
            )

    @property
    def opens_second(self) -> int:
        return _second_of_day(self.opens)

    @property
    def closes_second(self) -> int:
        if self.closes == dt.time(0):
            return _DAY_SECONDS
        return _second_of_day(self.closes)


def weekday_hours(
    weekdays: Iterable[int], opens: dt.time, closes: dt.time
) -> tuple[OpeningHours, ...]:
    """The same interval on several weekdays: ``weekday_hours(range(5), time(9), time(17))``."""
    return tuple(OpeningHours(day, opens, closes) for day in weekdays)


@functools.lru_cache(maxsize=1024)
def public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[dt.date]:
    """The public holidays of ``year`` in a country (and subdivision), cached per year.

    The neighbouring years are asked too, because an observed day can fall in another
    year than its holiday (New Year's Day on a Saturday is observed on 31 December).
    """
    days = holidays.country_holidays(country, subdiv=subdivision, years=(year - 1, year, year + 1))
    return frozenset(day for day in days if day.year == year)


@functools.lru_cache(maxsize=64)
def _known_region(country: str, subdivision: str | None) -> bool:
    try:
        holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True)
class BusinessCalendar:
    """A firm's business time. Build it with ``BusinessCalendar.build`` from plain rows."""

    time_zone: str
    hours: tuple[OpeningHours, ...]
    closures: frozenset[dt.date] = frozenset()
    country: str | None = None
    subdivision: str | None = None

    # Derived in __post_init__ and on first use; not part of equality or the repr.
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _week: _Week = field(init=False, repr=False, compare=False)
    _timeline: _Timeline | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        try:
            zone = ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.time_zone!r}") from exc
        country = (self.country or "").strip().upper() or None
        subdivision = (self.subdivision or "").strip() or None
        if country and subdivision and subdivision.upper().startswith(f"{country}-"):
            subdivision = subdivision[len(country) + 1 :]  # ISO 3166-2 "GB-ENG" -> "ENG"
        if subdivision and not country:
            raise ValueError("a subdivision needs a country")
        if country and not _known_region(country, subdivision):
            raise ValueError(f"no public holidays known for {country} {subdivision or ''}".strip())
        week = tuple(
            _merge((h.opens_second, h.closes_second) for h in self.hours if h.weekday == day)
            for day in range(7)
        )
        if not any(week):
            raise ValueError("a business calendar needs at least one opening interval")
        object.__setattr__(self, "country", country)
        object.__setattr__(self, "subdivision", subdivision)
        object.__setattr__(self, "hours", tuple(sorted(self.hours)))
        object.__setattr__(self, "closures", frozenset(self.closures))
        object.__setattr__(self, "_zone", zone)
        object.__setattr__(self, "_week", week)

    @classmethod
    def build(
        cls,
        *,
        time_zone: str,
        hours: Iterable[OpeningHours | tuple[int, dt.time, dt.time]],
        closures: Iterable[dt.date] = (),
        country: str | None = None,
        subdivision: str | None = None,
    ) -> BusinessCalendar:
        """From plain data: ``hours`` as ``(weekday, opens, closes)`` rows, Monday 0.

        Overlapping or touching intervals of one weekday are merged.
        """
        rows = tuple(h if isinstance(h, OpeningHours) else OpeningHours(*h) for h in hours)
        return cls(
            time_zone=time_zone,
            hours=rows,
            closures=frozenset(closures),
            country=country,
            subdivision=subdivision,
        )

    @classmethod
    def from_weekly(
        cls,
        *,
        time_zone: str,
        weekly: Mapping[int, Iterable[tuple[dt.time, dt.time]]],
        closures: Iterable[dt.date] = (),
        country: str | None = None,
        subdivision: str | None = None,
    ) -> BusinessCalendar:
        """From ``{weekday: [(opens, closes), ...]}``, Monday 0."""
        rows = [
            OpeningHours(day, opens, closes)
            for day, intervals in weekly.items()
            for opens, closes in intervals
        ]
        return cls.build(
            time_zone=time_zone,
            hours=rows,
            closures=closures,
            country=country,
            subdivision=subdivision,
        )

    # ------------------------------------------------------------------ days
    def local_date(self, at: dt.datetime) -> dt.date:
        """The date of an instant on the firm's wall clock."""
        return _aware(at, "at").astimezone(self._zone).date()

    def is_holiday(self, day: dt.date) -> bool:
        """A public holiday of the calendar's country (and subdivision)."""
        if self.country is None:
            return False
        return day in public_holidays(self.country, self.subdivision, day.year)

    def is_business_day(self, day: dt.date) -> bool:
        """The firm has opening hours on this date (weekday, no closure, no holiday)."""
        if isinstance(day, dt.datetime):
            raise TypeError("is_business_day takes a date; use local_date() for an instant")
        return (
            bool(self._week[day.weekday()])
            and day not in self.closures
            and not self.is_holiday(day)
        )

    def business_days_between(self, a: dt.datetime | dt.date, b: dt.datetime | dt.date) -> int:
        """The number of business days d with date(a) < d <= date(b).

        Dates of instants are read on the firm's wall clock; plain dates are taken as the
        firm's dates. Friday to Monday is 1, the same day 0, Saturday to Sunday 0, Friday
        to Saturday 0, Saturday to Monday 1. When b is before a the count is negative:
        ``business_days_between(b, a) == -business_days_between(a, b)``.
        """
        first, last = self._as_date(a, "a").toordinal(), self._as_date(b, "b").toordinal()
        line = self._covering(min(first, last), max(first, last) + 1)
        return line.days[last + 1 - line.lo] - line.days[first + 1 - line.lo]

    # ------------------------------------------------------------------ instants
    def is_open(self, at: dt.datetime) -> bool:
        """The firm is open at this instant (``[opens, closes)`` on a business day)."""
        u = _instant(at, "at")
        line = self._covering_instants(u, u)
        i = bisect_right(line.starts, u) - 1
        return i >= 0 and u < line.ends[i]

    def next_opening(self, at: dt.datetime) -> dt.datetime:
        """The first instant at or after ``at`` when the firm is open: ``at`` itself when
        it is open, otherwise the next opening time (a message on Saturday: Monday 9:00).

        Returned in the firm's zone. Raises ValueError if the firm does not open within
        ten years (closed for good).
        """
        u = _instant(at, "at")
        horizon = u
        while True:
            line = self._covering_instants(u, horizon)
            i = bisect_right(line.starts, u)
            if i and u < line.ends[i - 1]:
                return self._from_us(u)
            if i < len(line.starts) and line.safe(line.starts[i]):
                return self._from_us(line.starts[i])
            horizon = self._further(u, line)

    def business_time_between(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        """Business time elapsed from ``a`` to ``b``; negative (the same amount) when b < a."""
        ua, ub = _instant(a, "a"), _instant(b, "b")
        line = self._covering_instants(ua, ub) if ua <= ub else self._covering_instants(ub, ua)
        return dt.timedelta(microseconds=line.elapsed(ub) - line.elapsed(ua))

    def business_hours_between(self, a: dt.datetime, b: dt.datetime) -> float:
        """``business_time_between`` in hours (not rounded: round for display only)."""
        return self.business_time_between(a, b) / dt.timedelta(hours=1)

    def business_minutes_between(self, a: dt.datetime, b: dt.datetime) -> float:
        """``business_time_between`` in minutes (not rounded)."""
        return self.business_time_between(a, b) / dt.timedelta(minutes=1)

    def add_business_time(self, start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
        """The earliest instant t >= start with ``business_time_between(start, t) == amount``.

        This is when a promise made at ``start`` falls due: 24 business hours from a
        message on Friday 16:00 with 9:00 to 17:00 hours fall due on Wednesday 16:00, and
        8 hours from Monday 9:00 fall due at Monday 17:00 (the close, not Tuesday's
        opening). A zero amount gives ``start`` itself. Returned in the firm's zone;
        a negative amount raises ValueError.
        """
        u = _instant(start, "start")
        remaining = amount // _US
        if remaining < 0:
            raise ValueError("business time to add cannot be negative")
        if remaining == 0:
            return self._from_us(u)
        horizon = u
        while True:
            line = self._covering_instants(u, horizon)
            target = line.elapsed(u) + remaining
            j = bisect_left(line.upto, target)
            if j < len(line.upto):
                due = line.starts[j] + target - line.before[j]
                if line.safe(due):
                    return self._from_us(due)
            horizon = self._further(u, line)

    def add_business_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        """``add_business_time`` with the amount in hours (``Firm.response_hours``)."""
        return self.add_business_time(start, dt.timedelta(hours=hours))

    # ------------------------------------------------------------------ inside
    def _as_date(self, value: dt.datetime | dt.date, name: str) -> dt.date:
        if isinstance(value, dt.datetime):
            return _aware(value, name).astimezone(self._zone).date()
        return value

    def _from_us(self, u: int) -> dt.datetime:
        return (_EPOCH + dt.timedelta(microseconds=u)).astimezone(self._zone)

    def _further(self, u: int, line: _Timeline) -> int:
        """An instant a year past what ``line`` covers safely, unless that is too far."""
        if line.hi - _utc_ordinal(u) > _SEARCH_DAYS:
            raise ValueError("the firm does not open again within ten years")
        return (line.hi - _EPOCH_ORDINAL) * _DAY + 366 * _DAY

    def _covering_instants(self, lo: int, hi: int) -> _Timeline:
        # The wall-clock date of an instant is its UTC date give or take one; the margin
        # keeps every span that could precede or follow it inside the timeline.
        first = _EPOCH_ORDINAL + lo // _DAY - _MARGIN_DAYS
        last = _EPOCH_ORDINAL + hi // _DAY + _MARGIN_DAYS + 1
        line = self._timeline
        if line is not None and line.lo <= first and last <= line.hi:
            return line
        return self._covering(first, last)

    def _covering(self, lo: int, hi: int) -> _Timeline:
        """A timeline of whole years that covers the dates with ordinals in ``[lo, hi)``."""
        line = self._timeline
        if line is not None and line.lo <= lo and hi <= line.hi:
            return line
        if line is not None:
            lo, hi = min(lo, line.lo), max(hi, line.hi)
        first_year = dt.date.fromordinal(lo).year
        last_year = dt.date.fromordinal(hi - 1).year
        line = _years_timeline(
            self.time_zone,
            self._week,
            self.closures,
            self.country,
            self.subdivision,
            first_year,
            last_year,
        )
        object.__setattr__(self, "_timeline", line)  # a cache: replaced whole, never edited
        return line


_Week = tuple[tuple[tuple[int, int], ...], ...]
_Layout = tuple[tuple[tuple[int, int], ...], tuple[bool, ...]]


@dataclass(frozen=True, slots=True)
class _Timeline:
    """Every open span of whole years, in time order, with running totals.

    ``elapsed(u)`` is the business time from the timeline's start to ``u``, so business
    time between two instants is a difference of two binary searches, and the instant a
    promise falls due is one more.
    """

    lo: int  # ordinal of the first date covered
    hi: int  # ordinal of the first date after
    starts: list[int]  # span starts, UTC microseconds, ascending
    ends: list[int]
    before: list[int]  # business time before span i
    upto: list[int]  # business time up to the end of span i
    days: list[int]  # days[k]: business days among the first k dates

    @classmethod
    def of(cls, lo: int, layouts: Iterable[_Layout]) -> _Timeline:
        spans: list[tuple[int, int]] = []
        days = [0]
        for year_spans, flags in layouts:
            spans.extend(year_spans)
            for business in flags:
                days.append(days[-1] + business)
        # Sorted, not just concatenated: where a clock change crosses midnight the spans
        # of two dates can interleave.
        spans.sort()
        before, upto, total = [], [], 0
        for start, end in spans:
            before.append(total)
            total += end - start
            upto.append(total)
        return cls(
            lo=lo,
            hi=lo + len(days) - 1,
            starts=[s for s, _ in spans],
            ends=[e for _, e in spans],
            before=before,
            upto=upto,
            days=days,
        )

    def elapsed(self, u: int) -> int:
        i = bisect_right(self.starts, u) - 1
        if i < 0:
            return 0
        end = self.ends[i]
        return self.before[i] + (u if u < end else end) - self.starts[i]

    def safe(self, u: int) -> bool:
        """No span outside the timeline can come before ``u``."""
        return _utc_ordinal(u) + _MARGIN_DAYS < self.hi


@functools.lru_cache(maxsize=64)
def _years_timeline(
    time_zone: str,
    week: _Week,
    closures: frozenset[dt.date],
    country: str | None,
    subdivision: str | None,
    first_year: int,
    last_year: int,
) -> _Timeline:
    """The timeline of whole years, shared by equal calendars (it is never changed)."""
    layouts = [
        _year_layout(time_zone, week, closures, country, subdivision, year)
        for year in range(first_year, last_year + 1)
    ]
    return _Timeline.of(dt.date(first_year, 1, 1).toordinal(), layouts)


@functools.lru_cache(maxsize=256)
def _year_layout(
    time_zone: str,
    week: _Week,
    closures: frozenset[dt.date],
    country: str | None,
    subdivision: str | None,
    year: int,
) -> _Layout:
    """One year of a calendar: its open spans and which dates are business days.

    Cached by value, so calendars built afresh for each request share the work.
    """
    zone = ZoneInfo(time_zone)
    holiday_dates = public_holidays(country, subdivision, year) if country else frozenset()
    spans: list[tuple[int, int]] = []
    flags: list[bool] = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        intervals = week[day.weekday()]
        business = bool(intervals) and day not in closures and day not in holiday_dates
        flags.append(business)
        if business:
            spans.extend(_wall_spans(zone, day, intervals))
        day += dt.timedelta(days=1)
    return tuple(spans), tuple(flags)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
def _aware(value: dt.datetime, name: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{name} is a naive datetime ({value.isoformat()}); "
            "business time needs an aware instant"
        )
    return value


def _to_us(value: dt.datetime) -> int:
    return (value - _EPOCH) // _US


def _instant(value: dt.datetime, name: str) -> int:
    """An aware datetime as UTC microseconds; the check costs nothing when it passes."""
    try:
        return (value - _EPOCH) // _US
    except TypeError:
        _aware(value, name)
        raise


def _utc_ordinal(u: int) -> int:
    return _EPOCH_ORDINAL + u // _DAY


def _second_of_day(value: dt.time) -> int:
    if value.microsecond:
        raise ValueError("opening hours are whole seconds")
    return value.hour * 3600 + value.minute * 60 + value.second


def _merge(intervals: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _offset_us(zone: ZoneInfo, u: int) -> int:
    offset = (_EPOCH + dt.timedelta(microseconds=u)).astimezone(zone).utcoffset()
    assert offset is not None  # noqa: S101 - a ZoneInfo always has an offset
    return offset // _US


def _offset_segments(zone: ZoneInfo, lo: int, hi: int) -> list[tuple[int, int, int]]:
    """``(start, end, utc_offset)`` pieces of ``[lo, hi)`` with one UTC offset each.

    Offsets change at whole seconds; bisection finds each change. (Two changes that
    cancel out within the window would go unseen; no zone has had such a day.)
    """
    first, last = _offset_us(zone, lo), _offset_us(zone, hi - 1)
    if first == last:
        return [(lo, hi, first)]
    low, high = lo // _SECOND, (hi - 1) // _SECOND  # offset(low) == first != offset(high)
    while high - low > 1:
        mid = (low + high) // 2
        if _offset_us(zone, mid * _SECOND) == first:
            low = mid
        else:
            high = mid
    change = high * _SECOND
    return _offset_segments(zone, lo, change) + _offset_segments(zone, change, hi)


def _wall_spans(
    zone: ZoneInfo, day: dt.date, intervals: tuple[tuple[int, int], ...]
) -> tuple[tuple[int, int], ...]:
    """The instants whose wall-clock reading lies in one of ``intervals`` on ``day``.

    Within a piece of constant UTC offset the wall clock is the instant plus the offset,
    so each interval maps to one range per piece: a wall time skipped by a spring-forward
    change is never open, one repeated by a fall-back change is open twice.
    """
    midnight = _to_us(dt.datetime.combine(day, dt.time(0), tzinfo=_UTC))  # wall midnight as UTC
    spans: list[tuple[int, int]] = []
    for seg_start, seg_end, offset in _offset_segments(
        zone, midnight - _ZONE_REACH, midnight + 24 * _HOUR + _ZONE_REACH
    ):
        for opens, closes in intervals:
            start = max(midnight + opens * _SECOND - offset, seg_start)
            end = min(midnight + closes * _SECOND - offset, seg_end)
            if end > start:
                spans.append((start, end))
    return _merge(spans)
