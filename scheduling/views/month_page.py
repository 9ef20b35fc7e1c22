"""The month calendar the booking and reschedule pages share (scheduling/_month.html and
static/js/booking.js): the free days marked, each day's times ready for the script."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import translation

from core.time import format_long_day, format_short_time, month_label, weekday_names
from core.validators import date_in_sane_range
from scheduling import selectors


def month_param(value: str | None) -> dt.date | None:
    """'2026-12' (or a full date) as the month's first day; anything else is None."""
    value = (value or "")[:10]
    for fmt in ("%Y-%m", "%Y-%m-%d"):
        try:
            month = dt.datetime.strptime(value, fmt).date().replace(day=1)  # noqa: DTZ007  # a calendar date, no time
        except ValueError:
            continue
        return month if date_in_sane_range(month) else None
    return None


def month_days(
    month: selectors.BookingMonth, *, zone: ZoneInfo
) -> tuple[dict[dt.date, str], dict[str, list[list[Any]]]]:
    """Each free day's label, and every time of the month for the page's script:
    {"2026-06-02": [["9:00", "09:00:00+02:00", [3, 7]], ...]} (the time as shown, the
    wall clock with its offset, who is free)."""
    language = translation.get_language()
    labels = {day: format_long_day(day, language=language) for day in month.free_days}
    return labels, times_data(month.times, zone=zone)


def times_data(
    times: dict[dt.date, list[selectors.TimeOption]], *, zone: ZoneInfo
) -> dict[str, list[list[Any]]]:
    language = translation.get_language()
    return {
        day.isoformat(): [
            [
                format_short_time(o.start, zone=zone, language=language),
                o.start.isoformat()[11:],
                list(o.staff_ids),
            ]
            for o in options
        ]
        for day, options in sorted(times.items())
    }


def month_context(
    month: selectors.BookingMonth, *, day: dt.date | None, labels: dict[dt.date, str]
) -> dict[str, Any]:
    """What scheduling/_month.html draws: the month's name, weekdays and grid of days."""
    return {
        "month": month,
        "month_label": month_label(month.month),
        "weekdays": weekday_names(),
        "day": day,
        "day_label": labels.get(day, "") if day else "",
        "grid": [
            [(d, labels.get(d, "")) if d is not None else None for d in week]
            for week in month.weeks
        ],
    }
