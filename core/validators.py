"""Input validators shared by forms and models."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Anything that looks like markup: a tag, a comment, or an entity-encoded bracket.
_MARKUP_RE = re.compile(r"<\s*[/!?a-zA-Z]|&lt;|&#0*60;|&#x0*3c;|javascript:", re.IGNORECASE)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def validate_no_markup(value: str) -> None:
    if value and _MARKUP_RE.search(value):
        raise ValidationError(
            _("Please remove the angle brackets or code from this field."), code="markup"
        )


def validate_no_control_chars(value: str) -> None:
    if value and _CONTROL_RE.search(value):
        raise ValidationError(
            _("This field contains characters that are not allowed."), code="control"
        )


def validate_plain_text(value: str) -> None:
    validate_no_markup(value)
    validate_no_control_chars(value)


@lru_cache(maxsize=1)
def available_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in available_time_zones():
        raise ValidationError(
            _("“%(value)s” is not a time zone we know. Choose one from the list."),
            code="time_zone",
            params={"value": value[:64]},
        )


_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def validate_color(value: str) -> None:
    if not _COLOR_RE.match(value or ""):
        raise ValidationError(_("Enter a colour as #RRGGBB."), code="color")


def time_zone_choices() -> list[tuple[str, str]]:
    return [
        (tz, tz.replace("_", " "))
        for tz in sorted(available_time_zones())
        if "/" in tz and not tz.startswith(("Etc/", "SystemV/", "US/"))
    ] + [("UTC", "UTC")]


# The one range every date and time input accepts. Outside it a typo (year 1, 20255) would
# be stored as a timestamp PostgreSQL cannot read back, or overflow the zone conversions.
SANE_DATE_MIN = dt.date(1900, 1, 1)
SANE_DATE_MAX = dt.date(2200, 12, 31)


def date_in_sane_range(value: dt.date | dt.datetime) -> bool:
    day = value.date() if isinstance(value, dt.datetime) else value
    return SANE_DATE_MIN <= day <= SANE_DATE_MAX


def validate_sane_date(value: dt.date | dt.datetime | None) -> None:
    """Dates and date-times from 1900 to 2200 (a datetime is read on its own clock)."""
    if value is not None and not date_in_sane_range(value):
        raise ValidationError(
            _("Enter a date between %(first)s and %(last)s."),
            code="date_range",
            params={"first": SANE_DATE_MIN.year, "last": SANE_DATE_MAX.year},
        )
