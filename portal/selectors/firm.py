"""The firm's settings and its business time (cached: every page reads them)."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from core.business_time import BusinessCalendar
from core.languages import firm_text_fallback_set
from portal.models import (
    Firm,
    FirmClosure,
    FirmOfficeHours,
)

FIRM_CACHE_KEY = "atrium:firm:v2"
# The hours and closures are cached under the firm's updated_at and a version that every
# change to them bumps (portal.services.firm saves the firm too): two changes within one
# clock tick still give two keys, so a stale entry is never read again.
CALENDAR_CACHE_KEY = "atrium:firm-calendar:v1:{stamp}:{version}"
CALENDAR_VERSION_KEY = "atrium:firm-calendar:version"
CALENDAR_CACHE_SECONDS = 24 * 3600
# Without any rows (a database emptied by a test), the hours that were always assumed.
DEFAULT_HOURS = tuple((day, dt.time(9), dt.time(17)) for day in range(5))

HoursRow = tuple[int, dt.time, dt.time]


def firm_get() -> Firm:
    firm = cache.get(FIRM_CACHE_KEY)
    if firm is None:
        firm, _created = Firm.objects.get_or_create(pk=1)
        cache.set(FIRM_CACHE_KEY, firm, 300)
    # Firm-written texts missing in the reader's language show in the firm's own language.
    firm_text_fallback_set(firm.default_language)
    return firm


@dataclass(frozen=True)
class FirmCalendarData:
    """The rows a calendar is built from, as plain values (what the cache keeps)."""

    time_zone: str
    hours: tuple[HoursRow, ...]
    closures: tuple[tuple[dt.date, str], ...]
    country: str
    subdivision: str


def firm_calendar_data() -> FirmCalendarData:
    """The firm's opening hours, closures and region: two queries once per change."""
    firm = firm_get()
    version = cache.get_or_set(CALENDAR_VERSION_KEY, 1, None)
    stamp = firm.updated_at.isoformat() if firm.updated_at else ""
    key = CALENDAR_CACHE_KEY.format(stamp=stamp, version=version)
    data = cache.get(key)
    if data is None or data.time_zone != firm.time_zone:
        hours = tuple(
            FirmOfficeHours.objects.order_by("weekday", "opens").values_list(
                "weekday", "opens", "closes"
            )
        )
        closures = tuple(FirmClosure.objects.order_by("date").values_list("date", "reason"))
        data = FirmCalendarData(
            time_zone=firm.time_zone,
            hours=hours or DEFAULT_HOURS,
            closures=closures,
            country=firm.country,
            subdivision=firm.subdivision,
        )
        cache.set(key, data, CALENDAR_CACHE_SECONDS)
    return data


@functools.lru_cache(maxsize=16)
def _calendar(data: FirmCalendarData) -> BusinessCalendar:
    closures = [day for day, _reason in data.closures]
    try:
        return BusinessCalendar.build(
            time_zone=data.time_zone,
            hours=data.hours,
            closures=closures,
            country=data.country or None,
            subdivision=data.subdivision or None,
        )
    except ValueError:
        # A region the holidays library no longer knows (the settings form refuses one):
        # the firm's own hours and closures still hold.
        return BusinessCalendar.build(time_zone=data.time_zone, hours=data.hours, closures=closures)


def firm_business_calendar() -> BusinessCalendar:
    """The firm's business time: its opening hours, closures and public holidays.

    Cheap to call on every use: the rows are cached per change of the firm, and equal
    rows give the same calendar object (whose expanded years are cached too).
    """
    return _calendar(firm_calendar_data())


def _clock(value: dt.time) -> str:
    return f"{value.hour}:{value.minute:02d}"


def office_hours_text(hours: tuple[HoursRow, ...] | None = None) -> str:
    """The opening hours in words, in the active language: "Mon–Fri 9:00–17:00".

    Consecutive weekdays with the same intervals are one group; a lunch break shows as
    two intervals ("9:00–13:00, 14:00–17:00").
    """
    rows = firm_calendar_data().hours if hours is None else hours
    per_day: dict[int, list[str]] = {}
    for weekday, opens, closes in sorted(rows):
        per_day.setdefault(weekday, []).append(f"{_clock(opens)}–{_clock(closes)}")
    groups: list[tuple[int, int, str]] = []
    for weekday in range(7):
        if weekday not in per_day:
            continue
        text = ", ".join(per_day[weekday])
        if groups and groups[-1][1] == weekday - 1 and groups[-1][2] == text:
            groups[-1] = (groups[-1][0], weekday, text)
        else:
            groups.append((weekday, weekday, text))
    parts = []
    for first, last, text in groups:
        days = str(WEEKDAYS_ABBR[first])
        if last == first + 1:
            days = f"{days}, {WEEKDAYS_ABBR[last]}"
        elif last > first:
            days = f"{days}–{WEEKDAYS_ABBR[last]}"
        parts.append(f"{days} {text}")
    return "; ".join(parts) if parts else _("closed")


def firm_closures_upcoming(*, today: dt.date) -> list[FirmClosure]:
    """The closures from today on, for the settings page (past ones are history)."""
    return list(FirmClosure.objects.filter(date__gte=today).order_by("date"))
