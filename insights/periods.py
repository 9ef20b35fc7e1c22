"""Reporting periods in the firm's time zone (spec insights.md §1.2, §5, §8).

A ``Period`` is a half-open range of the firm's calendar dates ``[start, end)``; its
instants are ``period_bounds``: midnight of ``start`` to midnight of ``end`` on the firm's
wall clock, converted to UTC. 00:30 in Warsaw on 1 April (22:30 UTC on 31 March) is in
April. Every metric asks for its bounds here, so no two metrics cut a month differently.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

MONTH = "month"
WEEK = "week"
QUARTER = "quarter"
YEAR = "year"
LAST_30 = "last30"
LAST_90 = "last90"
CUSTOM = "custom"

KINDS = (
    (MONTH, _("Month")),
    (WEEK, _("Week")),
    (QUARTER, _("Quarter")),
    (YEAR, _("Year")),
    (LAST_30, _("Last 30 days")),
    (LAST_90, _("Last 90 days")),
    (CUSTOM, _("Custom range")),
)
# A custom range may cover at most this many months (spec §5).
MAX_CUSTOM_MONTHS = 24


def _add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month ``months`` after ``day``'s month (``day`` is a first)."""
    index = day.year * 12 + (day.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    """``[start, end)`` in the firm's dates, of a kind (a month, a week, a custom range)."""

    start: dt.date
    end: dt.date
    kind: str = CUSTOM

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("a period ends after it starts")

    # ----------------------------------------------------------------- building
    @classmethod
    def month(cls, year: int, month: int) -> Period:
        start = dt.date(year, month, 1)
        return cls(start, _add_months(start, 1), MONTH)

    @classmethod
    def containing(cls, kind: str, day: dt.date) -> Period:
        """The month, week (Monday first), quarter or year that holds ``day``; for
        ``last30``/``last90`` the days up to and including ``day``."""
        if kind == MONTH:
            return cls.month(day.year, day.month)
        if kind == WEEK:
            start = day - dt.timedelta(days=day.weekday())
            return cls(start, start + dt.timedelta(days=7), WEEK)
        if kind == QUARTER:
            start = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
            return cls(start, _add_months(start, 3), QUARTER)
        if kind == YEAR:
            return cls(dt.date(day.year, 1, 1), dt.date(day.year + 1, 1, 1), YEAR)
        if kind in (LAST_30, LAST_90):
            days = 30 if kind == LAST_30 else 90
            end = day + dt.timedelta(days=1)
            return cls(end - dt.timedelta(days=days), end, kind)
        raise ValueError(f"unknown period kind {kind!r}")

    # ----------------------------------------------------------------- moving
    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def shifted(self, steps: int) -> Period:
        """The period ``steps`` periods later (negative: earlier), of the same kind."""
        if self.kind == MONTH:
            start = _add_months(self.start, steps)
            return Period(start, _add_months(start, 1), MONTH)
        if self.kind == QUARTER:
            start = _add_months(self.start, 3 * steps)
            return Period(start, _add_months(start, 3), QUARTER)
        if self.kind == YEAR:
            start = dt.date(self.start.year + steps, 1, 1)
            return Period(start, dt.date(start.year + 1, 1, 1), YEAR)
        delta = dt.timedelta(days=self.days * steps)
        return Period(self.start + delta, self.end + delta, self.kind)

    def previous(self) -> Period:
        return self.shifted(-1)

    def last_year(self) -> Period:
        """The same dates one year earlier (29 February becomes 28 February)."""

        def back(day: dt.date) -> dt.date:
            try:
                return day.replace(year=day.year - 1)
            except ValueError:
                return day.replace(year=day.year - 1, day=28)

        return Period(back(self.start), back(self.end), self.kind)

    def history(self, count: int = 12) -> list[Period]:
        """This period and the ``count - 1`` before it, oldest first (sparklines)."""
        return [self.shifted(-i) for i in range(count - 1, -1, -1)]

    def contains(self, day: dt.date) -> bool:
        return self.start <= day < self.end


def period_bounds(period: Period, firm_tz: str) -> tuple[dt.datetime, dt.datetime]:
    """The period's instants in UTC: ``[midnight of start, midnight of end)`` read on the
    firm's wall clock. The one place every metric gets its range from."""
    zone = ZoneInfo(firm_tz)

    def midnight(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(dt.UTC)

    return midnight(period.start), midnight(period.end)
