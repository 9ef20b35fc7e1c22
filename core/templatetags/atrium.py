from __future__ import annotations

import datetime as dt

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html

register = template.Library()


@register.filter
def when(value: dt.datetime | None, fmt: str = "DATETIME_FORMAT") -> str:
    """A time in the viewer's zone, with the zone named: "5 March 2026, 14:00 (Europe/Warsaw)"."""
    if not value:
        return ""
    local = timezone.localtime(value)
    zone = timezone.get_current_timezone_name()
    return format_html(
        '<time datetime="{}">{} ({})</time>',
        value.isoformat(),
        formats.date_format(local, fmt),
        zone,
    )


@register.filter
def day(value: dt.datetime | None) -> str:
    if not value:
        return ""
    return formats.date_format(timezone.localtime(value), "DATE_FORMAT")


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **kwargs: object) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        params[key] = value
    return str(params.urlencode())
