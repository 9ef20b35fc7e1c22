"""Dates in the reader's language, declined as it needs ("1 grudnia 2026"): Babel's long
formats, read in the active time zone (inside {% timezone %} the page's zone)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from core.time import format_long_date, format_long_datetime, format_long_day, format_short_time

register = template.Library()


@register.filter
def longdate(value: dt.date | dt.datetime | None) -> str:
    """'1 grudnia 2026'."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        return format_long_date(value, zone=timezone.get_current_timezone())
    return format_long_date(value)


@register.filter
def longday(value: dt.date | dt.datetime | None) -> str:
    """'wtorek, 1 grudnia 2026'."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return format_long_day(value)


@register.filter
def longdatetime(value: dt.datetime | None) -> str:
    """'wtorek, 1 grudnia 2026, 10:30' in the active zone."""
    if not value:
        return ""
    return format_long_datetime(value, zone=timezone.get_current_timezone())


@register.filter
def shorttime(value: dt.datetime | None) -> str:
    """'10:30', in the active zone."""
    if not value:
        return ""
    return format_short_time(value, zone=timezone.get_current_timezone())
