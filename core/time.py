"""Time helpers: zones, local days and wall-clock input, times in a person's words.

Everything is stored in UTC; people read and type wall-clock times in their own zone.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_time
from django.utils import formats, timezone, translation

from core.validators import date_in_sane_range

UTC = dt.UTC


def zone(name: str | None, *, fallback: str = "UTC") -> ZoneInfo:
    """The named zone, or `fallback` for an empty or unknown name."""
    try:
        return ZoneInfo(name or fallback)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(fallback)


def day_window(*, start: dt.date, end: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """Midnight of the first day to midnight after the last day, in that zone."""
    return (
        dt.datetime.combine(start, dt.time(0), tzinfo=zone),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=zone),
    )


def wall_clock_to_utc(value: dt.datetime, tz_name: str) -> dt.datetime:
    """A datetime-local input (naive wall-clock time) in this zone, as UTC.

    Raises OverflowError or ValueError for a time that has no UTC equivalent (year 9999).
    """
    if value.tzinfo is not None:
        # A form field made it aware in the active zone; its wall-clock reading is the input.
        value = timezone.make_naive(value)
    return value.replace(tzinfo=ZoneInfo(tz_name)).astimezone(UTC)


def parse_date(value: str | None, *, default: dt.date) -> dt.date:
    """A YYYY-MM-DD from a query string; anything unreadable means `default`."""
    try:
        day = dt.date.fromisoformat(value or "")
    except ValueError:
        return default
    return day if date_in_sane_range(day) else default


def format_when(value: dt.datetime, *, language: str, zone: ZoneInfo) -> str:
    """'Mon 9 Mar, 10:00 CET' in the person's language and zone (the zone is named)."""
    local = value.astimezone(zone)
    with translation.override(language):
        text = formats.date_format(local, "D j M, H:i")
    return f"{text} {local.tzname()}"


def format_day(value: dt.date | dt.datetime, *, language: str, zone: ZoneInfo) -> str:
    """'Fri 13 Mar' in the person's language (a datetime is read in their zone first)."""
    if isinstance(value, dt.datetime):
        value = value.astimezone(zone)
    with translation.override(language):
        return formats.date_format(value, "D j M")


# English is read the British way here, day before month and a 24-hour clock, like every
# other time on the pages ("Tuesday, 1 December 2026, 14:00").
_BABEL_LOCALES = {"en": "en_GB"}


def _babel_locale(language: str | None) -> str:
    code = (language or translation.get_language() or "en").replace("-", "_")
    return _BABEL_LOCALES.get(code, code)


def format_long_date(
    value: dt.date | dt.datetime, *, zone: ZoneInfo | None = None, language: str | None = None
) -> str:
    """'1 grudnia 2026', '1 de diciembre de 2026', '1 декабря 2026 г.': the language's own
    long date (Babel, CLDR), so month names are declined as the language needs."""
    if isinstance(value, dt.datetime):
        value = value.astimezone(zone).date() if zone is not None else value.date()
    return str(format_date(value, "long", locale=_babel_locale(language)))


def format_long_datetime(
    value: dt.datetime,
    *,
    zone: ZoneInfo,
    language: str | None = None,
    weekday: bool = True,
) -> str:
    """'wtorek, 1 grudnia 2026, 10:30' in the language's own words, read in this zone."""
    local = value.astimezone(zone)
    locale = _babel_locale(language)
    day = format_date(local.date(), "full" if weekday else "long", locale=locale)
    return f"{day}, {format_time(local.time(), 'short', locale=locale)}"


def format_long_day(value: dt.date, *, language: str | None = None) -> str:
    """'wtorek, 1 grudnia 2026': a day with its weekday, in the language's own words."""
    return str(format_date(value, "full", locale=_babel_locale(language)))


def format_short_time(value: dt.datetime, *, zone: ZoneInfo, language: str | None = None) -> str:
    """'10:30': the language's own short time, read in this zone."""
    return str(format_time(value.astimezone(zone).time(), "short", locale=_babel_locale(language)))


def babel_locale(language: str | None = None) -> str:
    """The Babel locale of a language (the active one by default)."""
    return _babel_locale(language)


def weekday_names(language: str | None = None) -> list[str]:
    """Monday first, the language's short stand-alone weekday names ('pon.', 'пн')."""
    days = Locale.parse(_babel_locale(language)).days["stand-alone"]["abbreviated"]
    return [str(days[i]) for i in range(7)]


def month_label(value: dt.date, *, language: str | None = None) -> str:
    """'grudzień 2026', 'diciembre de 2026', 'декабрь 2026 г.': a month as a heading."""
    return str(format_date(value, "LLLL y", locale=_babel_locale(language)))
