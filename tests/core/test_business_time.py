"""Business time: opening hours, closures, public holidays, DST, and brute-force properties."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.business_time import (
    BusinessCalendar,
    NaiveDatetimeError,
    OpeningHours,
    public_holidays,
    weekday_hours,
)

WARSAW = "Europe/Warsaw"
NEW_YORK = "America/New_York"
T = dt.time
H = dt.timedelta(hours=1)
NINE, FIVE = T(9), T(17)


def _cal(
    time_zone: str = WARSAW,
    *,
    days: range = range(5),
    opens: dt.time = NINE,
    closes: dt.time = FIVE,
    **kwargs: object,
) -> BusinessCalendar:
    return BusinessCalendar.build(
        time_zone=time_zone, hours=weekday_hours(days, opens, closes), **kwargs
    )  # type: ignore[arg-type]


def _at(
    y: int, m: int, d: int, hour: int = 0, minute: int = 0, *, tz: str = WARSAW, fold: int = 0
) -> dt.datetime:
    return dt.datetime(y, m, d, hour, minute, tzinfo=ZoneInfo(tz), fold=fold)


# ---------------------------------------------------------------------------
# Business days
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b", "days"),
    [
        (_at(2026, 3, 6, 16), _at(2026, 3, 9, 10), 1),  # Friday inquiry, Monday answer
        (_at(2026, 3, 2, 8), _at(2026, 3, 2, 18), 0),  # same day (a walk-in consultation)
        (_at(2026, 3, 7, 10), _at(2026, 3, 8, 10), 0),  # Saturday to Sunday
        (_at(2026, 3, 6, 10), _at(2026, 3, 7, 10), 0),  # Friday to Saturday
        (_at(2026, 3, 7, 10), _at(2026, 3, 9, 10), 1),  # Saturday to Monday
        (_at(2026, 3, 2, 10), _at(2026, 3, 9, 10), 5),  # a whole week
        (_at(2026, 3, 9, 10), _at(2026, 3, 6, 16), -1),  # b before a: the same count, negated
    ],
)
def test_business_days_count_working_dates_after_a_up_to_b(
    a: dt.datetime, b: dt.datetime, days: int
) -> None:
    assert _cal().business_days_between(a, b) == days


def test_business_days_across_a_month_boundary_use_the_firms_date_not_utc() -> None:
    cal = _cal(country="PL")
    # 00:30 on Wednesday 1 April in Warsaw is still 31 March in UTC.
    created = dt.datetime(2026, 3, 31, 22, 30, tzinfo=dt.UTC)
    assert cal.local_date(created) == dt.date(2026, 4, 1)
    assert cal.business_days_between(created, _at(2026, 4, 1, 15)) == 0
    # Tuesday 31 March 23:30 local to Wednesday 1 April: one business day.
    assert cal.business_days_between(_at(2026, 3, 31, 23, 30), _at(2026, 4, 1, 9)) == 1
    # Winter time: 00:30 on 1 December is 23:30 UTC on 30 November.
    assert cal.local_date(dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)) == dt.date(2026, 12, 1)


def test_business_days_across_the_year_boundary_skip_new_year_and_epiphany() -> None:
    cal = _cal(country="PL")
    # Thu 31 Dec 2026 -> Fri 8 Jan 2027: 1 Jan (Fri) and 6 Jan (Wed) are holidays,
    # 2-3 Jan are a weekend: left are 4, 5, 7 and 8 January.
    assert cal.business_days_between(dt.date(2026, 12, 31), dt.date(2027, 1, 8)) == 4
    # Christmas Eve is a public holiday in Poland from 2025 on.
    assert cal.business_days_between(dt.date(2026, 12, 23), dt.date(2026, 12, 28)) == 1


def test_polish_public_holidays_are_not_business_days() -> None:
    cal = _cal(country="PL")
    assert not cal.is_business_day(dt.date(2026, 11, 11))  # Independence Day, a Wednesday
    assert not cal.is_business_day(dt.date(2026, 4, 6))  # Easter Monday
    assert not cal.is_business_day(dt.date(2026, 6, 4))  # Corpus Christi, a Thursday
    assert cal.is_business_day(dt.date(2026, 11, 12))
    # Tue 10 Nov -> Thu 12 Nov: the 11th does not count.
    assert cal.business_days_between(_at(2026, 11, 10, 12), _at(2026, 11, 12, 12)) == 1
    # Without a country the same dates are ordinary weekdays.
    assert _cal().business_days_between(_at(2026, 11, 10, 12), _at(2026, 11, 12, 12)) == 2


def test_a_firm_closure_day_is_not_a_business_day_and_has_no_business_hours() -> None:
    cal = _cal(country="PL", closures=[dt.date(2026, 3, 4)])
    assert not cal.is_business_day(dt.date(2026, 3, 4))
    assert cal.business_days_between(dt.date(2026, 3, 3), dt.date(2026, 3, 5)) == 1
    assert cal.business_hours_between(_at(2026, 3, 3, 16), _at(2026, 3, 5, 10)) == 2.0
    assert not cal.is_open(_at(2026, 3, 4, 12))
    assert cal.next_opening(_at(2026, 3, 3, 18)) == _at(2026, 3, 5, 9)


@pytest.mark.parametrize(
    ("country", "subdivision", "day", "business"),
    [
        ("ES", "CT", dt.date(2026, 9, 11), False),  # Diada de Catalunya
        ("ES", "MD", dt.date(2026, 9, 11), True),
        ("ES", "MD", dt.date(2026, 4, 2), False),  # Maundy Thursday in Madrid
        ("ES", "CT", dt.date(2026, 4, 6), False),  # Easter Monday in Catalonia
        ("ES", "MD", dt.date(2026, 4, 6), True),
        ("GB", "ENG", dt.date(2026, 4, 6), False),  # Easter Monday in England
        ("GB", "SCT", dt.date(2026, 4, 6), True),
        ("GB", "SCT", dt.date(2026, 1, 2), False),  # 2 January in Scotland
        ("GB", "GB-ENG", dt.date(2026, 1, 2), True),  # ISO 3166-2 spelling accepted
        ("US", "MA", dt.date(2026, 4, 20), False),  # Patriots' Day in Massachusetts
        ("US", "NY", dt.date(2026, 4, 20), True),
        ("US", None, dt.date(2026, 7, 3), False),  # Independence Day observed on the Friday
        ("US", None, dt.date(2026, 11, 26), False),  # Thanksgiving
    ],
)
def test_public_holidays_follow_country_and_subdivision(
    country: str, subdivision: str | None, day: dt.date, business: bool
) -> None:
    cal = _cal(country=country, subdivision=subdivision)
    assert cal.is_business_day(day) is business


def test_public_holidays_are_cached_per_country_subdivision_and_year() -> None:
    public_holidays.cache_clear()
    cal = _cal(country="PL")
    for day in range(1, 29):
        cal.is_business_day(dt.date(2027, 2, day))
    assert public_holidays.cache_info().misses == 1  # the library asked once for 2027
    cal.is_business_day(dt.date(2028, 2, 1))
    assert public_holidays.cache_info().misses == 2
    assert dt.date(2027, 3, 29) in public_holidays("PL", None, 2027)  # Easter Monday 2027


def test_an_observed_holiday_in_the_year_before_its_date_counts() -> None:
    # New Year's Day 2022 fell on a Saturday: the US observed it on Friday 31 Dec 2021.
    cal = _cal(NEW_YORK, country="US")
    assert not cal.is_business_day(dt.date(2021, 12, 31))


# ---------------------------------------------------------------------------
# Business hours
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b", "hours"),
    [
        (_at(2026, 3, 2, 10), _at(2026, 3, 2, 12), 2.0),  # inside Monday
        (_at(2026, 3, 2, 16), _at(2026, 3, 3, 10), 2.0),  # overnight
        (_at(2026, 3, 6, 16), _at(2026, 3, 9, 10), 2.0),  # Friday to Monday, weekend skipped
        (_at(2026, 3, 7, 10), _at(2026, 3, 8, 18), 0.0),  # all weekend
        (_at(2026, 3, 2, 7), _at(2026, 3, 2, 8), 0.0),  # before opening
        (_at(2026, 3, 2, 9), _at(2026, 3, 6, 17), 40.0),  # a working week
        (_at(2026, 3, 2, 12), _at(2026, 3, 2, 11), -1.0),  # b before a: negated
        (_at(2026, 2, 27, 16, 30), _at(2026, 3, 2, 9, 15), 0.75),  # across a month boundary
        (_at(2026, 12, 31, 16), _at(2027, 1, 4, 10), 2.0),  # across the year, 1 Jan a holiday
    ],
)
def test_business_hours_clip_to_opening_hours(a: dt.datetime, b: dt.datetime, hours: float) -> None:
    cal = _cal(country="PL")
    assert cal.business_hours_between(a, b) == hours
    assert cal.business_minutes_between(a, b) == hours * 60


def test_a_saturday_message_waits_from_mondays_opening() -> None:
    cal = _cal(country="PL")
    saturday = _at(2026, 3, 7, 11, 20)
    assert not cal.is_open(saturday)
    assert cal.next_opening(saturday) == _at(2026, 3, 9, 9)
    assert cal.business_hours_between(saturday, _at(2026, 3, 9, 11)) == 2.0
    assert cal.business_hours_between(cal.next_opening(saturday), _at(2026, 3, 9, 11)) == 2.0
    # A message inside opening hours starts its wait at once.
    assert cal.next_opening(_at(2026, 3, 9, 10, 5)) == _at(2026, 3, 9, 10, 5)


def test_several_intervals_a_day_with_a_lunch_break_and_an_early_friday() -> None:
    cal = BusinessCalendar.from_weekly(
        time_zone=WARSAW,
        weekly={
            **{day: [(T(9), T(13)), (T(14), T(17))] for day in range(4)},
            4: [(T(9), T(14))],
        },
    )
    assert cal.business_hours_between(_at(2026, 3, 2, 0), _at(2026, 3, 9, 0)) == 4 * 7 + 5
    assert cal.is_open(_at(2026, 3, 2, 12, 59)) and not cal.is_open(_at(2026, 3, 2, 13, 30))
    assert cal.is_open(_at(2026, 3, 2, 14)) and not cal.is_open(_at(2026, 3, 6, 14))
    assert cal.next_opening(_at(2026, 3, 2, 13, 10)) == _at(2026, 3, 2, 14)
    assert cal.business_hours_between(_at(2026, 3, 2, 12), _at(2026, 3, 2, 15)) == 2.0
    # 3 hours from Thursday 12:00: 12-13, then 14-16.
    assert cal.add_business_hours(_at(2026, 3, 5, 12), 3) == _at(2026, 3, 5, 16)
    # 2 hours from Friday 13:00: 13-14, then Monday 9-10.
    assert cal.add_business_hours(_at(2026, 3, 6, 13), 2) == _at(2026, 3, 9, 10)


def test_overlapping_rows_of_one_weekday_are_merged() -> None:
    cal = BusinessCalendar.build(
        time_zone=WARSAW, hours=[(0, T(9), T(12)), (0, T(11), T(15)), (0, T(15), T(16))]
    )
    assert cal.business_hours_between(_at(2026, 3, 2), _at(2026, 3, 3)) == 7.0
    assert cal.is_open(_at(2026, 3, 2, 15, 30)) and not cal.is_open(_at(2026, 3, 2, 16))
    assert cal.hours[0] == OpeningHours(0, T(9), T(12))  # the rows stay as given, sorted


def test_an_office_open_until_midnight() -> None:
    cal = _cal(opens=T(18), closes=T(0))
    assert cal.business_hours_between(_at(2026, 3, 2), _at(2026, 3, 3)) == 6.0
    assert cal.is_open(_at(2026, 3, 2, 23, 59)) and not cal.is_open(_at(2026, 3, 3, 0))


# ---------------------------------------------------------------------------
# DST
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("tz", "day"),
    [
        (WARSAW, dt.date(2026, 3, 29)),  # spring forward, 02:00 -> 03:00
        (WARSAW, dt.date(2026, 10, 25)),  # fall back, 03:00 -> 02:00
        (NEW_YORK, dt.date(2026, 3, 8)),
        (NEW_YORK, dt.date(2026, 11, 1)),
    ],
)
def test_a_nine_to_five_day_is_eight_business_hours_on_the_day_the_clocks_change(
    tz: str, day: dt.date
) -> None:
    cal = _cal(tz, days=range(7))
    start = dt.datetime.combine(day, T(0), tzinfo=ZoneInfo(tz))
    end = dt.datetime.combine(day + dt.timedelta(days=1), T(0), tzinfo=ZoneInfo(tz))
    assert cal.business_hours_between(start, end) == 8.0
    assert cal.next_opening(start) == dt.datetime.combine(day, T(9), tzinfo=ZoneInfo(tz))
    assert cal.add_business_hours(start, 8) == dt.datetime.combine(day, T(17), tzinfo=ZoneInfo(tz))


def test_a_wait_across_the_spring_change_in_warsaw() -> None:
    cal = _cal(days=range(7))
    # Saturday 16:00 (UTC+1) to Monday 10:00 (UTC+2): 1 + 8 + 1 hours.
    assert cal.business_hours_between(_at(2026, 3, 28, 16), _at(2026, 3, 30, 10)) == 10.0
    # Opening on Sunday is 9:00 summer time, which is 07:00 UTC, not 08:00.
    assert cal.next_opening(_at(2026, 3, 28, 18)) == dt.datetime(2026, 3, 29, 7, tzinfo=dt.UTC)


def test_a_wait_across_the_autumn_change_in_new_york() -> None:
    cal = _cal(NEW_YORK, days=range(7), country="US")
    # Saturday 31 Oct 16:00 EDT to Monday 2 Nov 10:00 EST.
    a, b = _at(2026, 10, 31, 16, tz=NEW_YORK), _at(2026, 11, 2, 10, tz=NEW_YORK)
    assert b.astimezone(dt.UTC) - a.astimezone(dt.UTC) == dt.timedelta(hours=43)
    assert cal.business_hours_between(a, b) == 10.0
    assert cal.add_business_hours(a, 10) == b


def test_an_interval_containing_the_change_is_as_long_as_it_really_is() -> None:
    # An office open 01:00-04:00 every day: on the spring day 02:00-03:00 never happens,
    # on the autumn day 02:00-03:00 happens twice.
    cal = _cal(days=range(7), opens=T(1), closes=T(4))
    assert cal.business_hours_between(_at(2026, 3, 29), _at(2026, 3, 30)) == 2.0
    assert cal.business_hours_between(_at(2026, 10, 25), _at(2026, 10, 26)) == 4.0
    assert cal.is_open(_at(2026, 10, 25, 2, 30, fold=1))
    # Around the clock: 23 and 25 hours.
    cal = _cal(days=range(7), opens=T(0), closes=T(0))
    assert cal.business_hours_between(_at(2026, 3, 29), _at(2026, 3, 30)) == 23.0
    assert cal.business_hours_between(_at(2026, 10, 25), _at(2026, 10, 26)) == 25.0


# ---------------------------------------------------------------------------
# Promises
# ---------------------------------------------------------------------------
def test_a_24_business_hour_promise_falls_due_three_working_days_later() -> None:
    cal = _cal(country="PL")
    # Friday 16:00: 1 hour on Friday, 8 on Monday, 8 on Tuesday, 7 on Wednesday.
    assert cal.add_business_hours(_at(2026, 3, 6, 16), 24) == _at(2026, 3, 11, 16)
    # A message on Saturday: the clock starts on Monday at 9:00.
    assert cal.add_business_hours(_at(2026, 3, 7, 11), 24) == _at(2026, 3, 11, 17)
    # Across Easter Monday (6 April 2026).
    assert cal.add_business_hours(_at(2026, 4, 3, 16), 2) == _at(2026, 4, 7, 10)


def test_a_promise_that_ends_at_closing_time_falls_due_then_not_at_the_next_opening() -> None:
    cal = _cal()
    assert cal.add_business_hours(_at(2026, 3, 2, 9), 8) == _at(2026, 3, 2, 17)
    assert cal.add_business_hours(_at(2026, 3, 2, 18), 0) == _at(2026, 3, 2, 18)
    assert cal.add_business_time(_at(2026, 3, 2, 18), dt.timedelta(minutes=1)) == _at(
        2026, 3, 3, 9, 1
    )


def test_the_due_instant_is_given_in_the_firms_zone() -> None:
    due = _cal().add_business_hours(dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC), 1)
    assert due.utcoffset() == H and due == _at(2026, 3, 2, 10)


# ---------------------------------------------------------------------------
# Refusals
# ---------------------------------------------------------------------------
def test_naive_datetimes_are_refused_with_a_clear_error() -> None:
    cal = _cal()
    naive, aware = dt.datetime(2026, 3, 2, 10), _at(2026, 3, 2, 10)
    calls: list[Callable[[], object]] = [
        lambda: cal.business_hours_between(naive, aware),
        lambda: cal.business_minutes_between(aware, naive),
        lambda: cal.business_days_between(naive, aware),
        lambda: cal.add_business_hours(naive, 1),
        lambda: cal.next_opening(naive),
        lambda: cal.is_open(naive),
        lambda: cal.local_date(naive),
    ]
    for call in calls:
        with pytest.raises(NaiveDatetimeError, match="naive datetime"):
            call()


def test_something_other_than_a_datetime_is_refused() -> None:
    with pytest.raises(TypeError, match="must be a datetime"):
        _cal().business_hours_between(dt.date(2026, 3, 2), _at(2026, 3, 3))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="takes a date"):
        _cal().is_business_day(_at(2026, 3, 2))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "unknown time zone"),
        ({"country": "XX"}, "no public holidays known for XX"),
        ({"country": "PL", "subdivision": "ZZ"}, "no public holidays known for PL ZZ"),
        ({"subdivision": "ENG"}, "needs a country"),
        ({"hours": []}, "at least one opening interval"),
        ({"hours": [(0, T(17), T(9))]}, "close after it opens"),
        ({"hours": [(7, T(9), T(17))]}, "weekday must be"),
    ],
)
def test_a_calendar_from_bad_data_is_refused(kwargs: dict[str, object], message: str) -> None:
    data: dict[str, object] = {"time_zone": WARSAW, "hours": weekday_hours(range(5), T(9), T(17))}
    with pytest.raises(ValueError, match=message):
        BusinessCalendar.build(**{**data, **kwargs})  # type: ignore[arg-type]


def test_negative_business_time_cannot_be_added() -> None:
    with pytest.raises(ValueError, match="negative"):
        _cal().add_business_hours(_at(2026, 3, 2, 10), -1)


def test_a_firm_closed_for_good_has_no_next_opening() -> None:
    cal = _cal(
        days=range(1), closures=[dt.date(2026, 3, 2) + dt.timedelta(weeks=w) for w in range(600)]
    )
    with pytest.raises(ValueError, match="does not open again"):
        cal.next_opening(_at(2026, 3, 2))


def test_answers_do_not_depend_on_what_was_asked_before() -> None:
    # given a wait in March 2026, asked of a fresh calendar
    a, b = _at(2026, 3, 27, 15), _at(2026, 4, 8, 11)
    expected = (
        _cal(country="PL").business_hours_between(a, b),
        _cal(country="PL").business_days_between(a, b),
        _cal(country="PL").add_business_hours(a, 30),
    )
    # when the same calendar was first asked about years far before and after
    cal = _cal(country="PL")
    cal.business_hours_between(_at(2031, 6, 1), _at(2031, 6, 9))
    cal.business_days_between(dt.date(2019, 1, 1), dt.date(2019, 2, 1))
    # then
    assert (
        (
            cal.business_hours_between(a, b),
            cal.business_days_between(a, b),
            cal.add_business_hours(a, 30),
        )
        == expected
        == (52.0, 7, _at(2026, 4, 2, 13))
    )


def test_a_long_span_counts_a_whole_polish_year() -> None:
    cal = _cal(country="PL")
    # 2026 has 261 weekdays and 14 public holidays, 6 of them on a weekend (Easter Sunday,
    # 3 May, Pentecost, 15 August, 1 November, 26 December): 8 weekdays off.
    assert cal.business_days_between(dt.date(2025, 12, 31), dt.date(2026, 12, 31)) == 253
    assert cal.business_hours_between(_at(2026, 1, 1), _at(2027, 1, 1)) == 253 * 8


def test_calendars_are_hashable_values() -> None:
    a = _cal(country="pl")
    b = _cal(country="PL")
    assert a == b and hash(a) == hash(b)
    assert a != _cal(country="PL", closures=[dt.date(2026, 3, 4)])


# ---------------------------------------------------------------------------
# Properties against a brute-force minute count
# ---------------------------------------------------------------------------
# Instants near each zone's clock changes, the turn of the year and Polish holidays.
# America/Santiago changes its clocks at midnight, so its dates themselves shift.
ANCHORS = {
    WARSAW: [
        dt.datetime(2026, 3, 29, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 10, 25, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 11, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 31, tzinfo=dt.UTC),
    ],
    NEW_YORK: [
        dt.datetime(2026, 3, 8, 7, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 1, 6, tzinfo=dt.UTC),
    ],
    "America/Santiago": [
        dt.datetime(2026, 4, 5, 3, tzinfo=dt.UTC),
        dt.datetime(2026, 9, 6, 4, tzinfo=dt.UTC),
    ],
}
COUNTRY = {WARSAW: "PL", NEW_YORK: "US", "America/Santiago": "CL"}
MAX_SPAN_MINUTES = 3 * 24 * 60


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    zone = draw(st.sampled_from(sorted(ANCHORS)))
    rows: list[tuple[int, dt.time, dt.time]] = []
    for weekday in range(7):
        # Up to two intervals a day on a half-hour grid, midnight included.
        marks = sorted(draw(st.sets(st.integers(0, 48), max_size=4)))
        for start, end in zip(marks[::2], marks[1::2], strict=False):
            rows.append(
                (
                    weekday,
                    T(start // 2, 30 * (start % 2)),
                    T(0) if end == 48 else T(end // 2, 30 * (end % 2)),
                )
            )
    if not rows:
        rows = [(0, T(9), T(17))]
    closures = draw(st.sets(st.integers(-4, 4), max_size=2))
    anchor = ANCHORS[zone][0].date()
    return BusinessCalendar.build(
        time_zone=zone,
        hours=rows,
        closures=[anchor + dt.timedelta(days=n) for n in closures],
        country=COUNTRY[zone] if draw(st.booleans()) else None,
    )


@st.composite
def instants(draw: st.DrawFn, cal: BusinessCalendar) -> dt.datetime:
    anchor = draw(st.sampled_from(ANCHORS[cal.time_zone]))
    return anchor + dt.timedelta(minutes=draw(st.integers(-2 * 24 * 60, 2 * 24 * 60)))


@functools.cache
def _holiday_dates(country: str, year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays(country, years=year))


def brute_force_open(cal: BusinessCalendar, at: dt.datetime) -> bool:
    """Open by reading the wall clock, straight from the rows and the holidays library."""
    local = at.astimezone(ZoneInfo(cal.time_zone))
    day, clock = local.date(), local.time()
    if day in cal.closures:
        return False
    if cal.country and day in _holiday_dates(cal.country, day.year):
        return False
    return any(
        h.weekday == day.weekday() and h.opens <= clock and (clock < h.closes or h.closes == T(0))
        for h in cal.hours
    )


def brute_force_minutes(cal: BusinessCalendar, a: dt.datetime, b: dt.datetime) -> int:
    minutes = int((b - a) / dt.timedelta(minutes=1))
    return sum(brute_force_open(cal, a + dt.timedelta(minutes=m)) for m in range(minutes))


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_business_minutes_agree_with_a_brute_force_minute_count(data: st.DataObject) -> None:
    cal = data.draw(calendars())
    a = data.draw(instants(cal))
    b = a + dt.timedelta(minutes=data.draw(st.integers(0, MAX_SPAN_MINUTES)))
    assert cal.business_minutes_between(a, b) == brute_force_minutes(cal, a, b)
    assert cal.business_minutes_between(b, a) == -cal.business_minutes_between(a, b)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_is_open_and_next_opening_agree_with_the_wall_clock(data: st.DataObject) -> None:
    cal = data.draw(calendars())
    at = data.draw(instants(cal))
    assert cal.is_open(at) is brute_force_open(cal, at)
    opening = cal.next_opening(at)
    assert opening >= at and cal.is_open(opening)
    assert cal.business_time_between(at, opening) == dt.timedelta(0)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_add_business_time_inverts_business_time_between(data: st.DataObject) -> None:
    cal = data.draw(calendars())
    start = data.draw(instants(cal))
    amount = dt.timedelta(
        minutes=data.draw(st.integers(0, 40 * 60)), microseconds=data.draw(st.integers(0, 999_999))
    )
    due = cal.add_business_time(start, amount)
    assert cal.business_time_between(start, due) == amount
    # ...and it is the earliest such instant: a moment before, the promise was not yet due.
    if amount:
        assert cal.business_time_between(start, due - dt.timedelta(microseconds=1)) < amount
    # The other way round: the time between two instants, added to the first, lands on the
    # second or at the last closing before it.
    end = start + dt.timedelta(minutes=data.draw(st.integers(0, MAX_SPAN_MINUTES)))
    landed = cal.add_business_time(start, cal.business_time_between(start, end))
    assert landed <= end and cal.business_time_between(landed, end) == dt.timedelta(0)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_business_time_and_days_add_up_over_consecutive_spans(data: st.DataObject) -> None:
    cal = data.draw(calendars())
    a, b, c = (data.draw(instants(cal)) for _ in range(3))
    assert cal.business_time_between(a, b) + cal.business_time_between(
        b, c
    ) == cal.business_time_between(a, c)
    assert cal.business_days_between(a, b) + cal.business_days_between(
        b, c
    ) == cal.business_days_between(a, c)


def brute_force_business_days(cal: BusinessCalendar, a: dt.datetime, b: dt.datetime) -> int:
    """Dates d with date(a) < d <= date(b), walked one by one: the weekday has a row, and
    the date is neither a closure nor a holiday of the holidays library."""
    zone = ZoneInfo(cal.time_zone)
    first, last = a.astimezone(zone).date(), b.astimezone(zone).date()
    sign = 1
    if last < first:
        first, last, sign = last, first, -1
    count = 0
    day = first + dt.timedelta(days=1)
    while day <= last:
        holiday = bool(cal.country) and day in _holiday_dates(str(cal.country), day.year)
        weekday_open = any(h.weekday == day.weekday() for h in cal.hours)
        count += weekday_open and day not in cal.closures and not holiday
        day += dt.timedelta(days=1)
    return sign * count


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_business_days_and_hours_agree_with_a_brute_force_count(data: st.DataObject) -> None:
    # random weekly hours (half-hour grid), closures, time zones and Polish, US or
    # Chilean holidays; instants around clock changes, holidays and the turn of the year
    cal = data.draw(calendars())
    a = data.draw(instants(cal))
    b = a + dt.timedelta(minutes=data.draw(st.integers(-MAX_SPAN_MINUTES, MAX_SPAN_MINUTES)))
    assert cal.business_days_between(a, b) == brute_force_business_days(cal, a, b)
    lo, hi = min(a, b), max(a, b)
    hours = cal.business_hours_between(lo, hi)
    assert hours * 60 == pytest.approx(brute_force_minutes(cal, lo, hi))
