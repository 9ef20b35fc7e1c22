"""Long dates are grammatical in every language (issue 11): Babel's own long formats."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from core.time import format_long_date, format_long_datetime

WARSAW = ZoneInfo("Europe/Warsaw")
# 1 December 2026, 10:30 in Warsaw.
WHEN = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("language", "date", "full"),
    [
        ("pl", "1 grudnia 2026", "wtorek, 1 grudnia 2026, 10:30"),
        ("es", "1 de diciembre de 2026", "martes, 1 de diciembre de 2026, 10:30"),
        ("ru", "1 декабря 2026", "вторник, 1 декабря 2026"),
        ("en", "1 December 2026", "Tuesday, 1 December 2026, 10:30"),
    ],
)
def test_long_dates_decline_the_month(language: str, date: str, full: str) -> None:
    assert format_long_date(WHEN, zone=WARSAW, language=language).startswith(date)
    assert format_long_datetime(WHEN, zone=WARSAW, language=language).startswith(full)
    assert "Grudzień" not in format_long_date(WHEN, zone=WARSAW, language=language)


def test_the_template_filters_follow_the_active_language_and_zone() -> None:
    template = Template(
        "{% load tz dates %}{% timezone zone %}{{ when|longdatetime }}{% endtimezone %}"
    )
    with translation.override("pl"):
        text = template.render(Context({"when": WHEN, "zone": WARSAW}))
    assert text == "wtorek, 1 grudnia 2026, 10:30"
    with translation.override("ru"):
        text = template.render(Context({"when": WHEN, "zone": WARSAW}))
    assert text.startswith("вторник, 1 декабря 2026")
