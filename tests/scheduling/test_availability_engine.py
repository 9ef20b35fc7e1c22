"""The pure availability engine: DST days, buffers, notice, and hypothesis properties."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.availability import (
    DateHours,
    Interval,
    Rules,
    StaffCalendar,
    WeeklyHours,
    free_slots,
    staff_free_starts,
    to_ts,
    working_intervals,
)

UTC = dt.UTC
WARSAW = ZoneInfo("Europe/Warsaw")
MIN = dt.timedelta(minutes=1)


def _rules(
    *,
    duration: int = 60,
    step: int = 60,
    before: int = 0,
    after: int = 0,
    earliest: dt.datetime | None = None,
) -> Rules:
    return Rules(
        duration=duration * MIN,
        step=step * MIN,
        earliest=earliest or dt.datetime(2000, 1, 1, tzinfo=UTC),
        latest=dt.datetime(2100, 1, 1, tzinfo=UTC),
        buffer_before=before * MIN,
        buffer_after=after * MIN,
    )


def _local(day: dt.date, zone: ZoneInfo, slots: list) -> list[str]:
    return [s.start.astimezone(zone).strftime("%H:%M") for s in slots]


def _day(day: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime.combine(day, dt.time(0), tzinfo=zone),
        dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone),
    )


def test_spring_forward_day_in_warsaw_offers_the_wall_clock_hours() -> None:
    # given: 2026-03-29 is a Sunday; the clocks jump from 02:00 to 03:00
    day = dt.date(2026, 3, 29)
    cal = StaffCalendar(
        staff_id=1, time_zone="Europe/Warsaw", weekly=[WeeklyHours(6, dt.time(1), dt.time(5))]
    )
    # when
    slots = free_slots([cal], _rules(), *_day(day, WARSAW))
    # then: 01:00 (UTC+1) then 03:00 and 04:00 (UTC+2); 02:xx does not exist
    assert _local(day, WARSAW, slots) == ["01:00", "03:00", "04:00"]
    assert [s.start.isoformat() for s in slots] == [
        "2026-03-29T00:00:00+00:00",
        "2026-03-29T01:00:00+00:00",
        "2026-03-29T02:00:00+00:00",
    ]
    # the working interval is really three hours long that day
    ((start, end),) = working_intervals(cal, *_day(day, WARSAW))
    assert end - start == 3 * 3600


def test_fall_back_day_in_warsaw_is_an_hour_longer() -> None:
    # given: 2026-10-25, a Sunday; 03:00 falls back to 02:00
    day = dt.date(2026, 10, 25)
    cal = StaffCalendar(
        staff_id=1, time_zone="Europe/Warsaw", weekly=[WeeklyHours(6, dt.time(1), dt.time(5))]
    )
    # when
    slots = free_slots([cal], _rules(), *_day(day, WARSAW))
    # then: five hour-long slots fit into 01:00-05:00 local, 02:00 occurs twice
    assert [s.start.isoformat() for s in slots] == [
        "2026-10-24T23:00:00+00:00",
        "2026-10-25T00:00:00+00:00",
        "2026-10-25T01:00:00+00:00",
        "2026-10-25T02:00:00+00:00",
        "2026-10-25T03:00:00+00:00",
    ]
    assert _local(day, WARSAW, slots) == ["01:00", "02:00", "02:00", "03:00", "04:00"]


def test_normal_day_after_the_change_keeps_nine_to_five_local() -> None:
    day = dt.date(2026, 3, 30)  # Monday after spring forward
    cal = StaffCalendar(
        staff_id=1, time_zone="Europe/Warsaw", weekly=[WeeklyHours(0, dt.time(9), dt.time(17))]
    )
    slots = free_slots([cal], _rules(), *_day(day, WARSAW))
    assert _local(day, WARSAW, slots)[0] == "09:00"
    assert slots[0].start == dt.datetime(2026, 3, 30, 7, tzinfo=UTC)
    assert len(slots) == 8


def test_slots_are_returned_in_the_viewers_zone_but_computed_in_the_staff_zone() -> None:
    # given: a lawyer in New York, a viewer in Warsaw
    ny = StaffCalendar(
        staff_id=7, time_zone="America/New_York", weekly=[WeeklyHours(0, dt.time(9), dt.time(10))]
    )
    day = dt.date(2026, 6, 1)
    slots = free_slots([ny], _rules(), *_day(day, WARSAW))
    assert _local(day, WARSAW, slots) == ["15:00"]


def test_busy_time_with_buffers_removes_overlapping_slots() -> None:
    cal = StaffCalendar(
        staff_id=1,
        time_zone="UTC",
        weekly=[WeeklyHours(0, dt.time(9), dt.time(12))],
        busy=[
            Interval(
                dt.datetime(2026, 6, 1, 10, tzinfo=UTC), dt.datetime(2026, 6, 1, 10, 30, tzinfo=UTC)
            )
        ],
    )
    start, end = _day(dt.date(2026, 6, 1), ZoneInfo("UTC"))
    slots = free_slots([cal], _rules(duration=30, step=30, before=15, after=15), start, end)
    # 09:30 would end at 10:00 + 15 buffer -> overlaps; 10:30 starts 15 min before -> overlaps
    assert [s.start.strftime("%H:%M") for s in slots] == ["09:00", "11:00", "11:30"]


def test_day_off_and_one_off_hours_replace_the_week() -> None:
    cal = StaffCalendar(
        staff_id=1,
        time_zone="UTC",
        weekly=[WeeklyHours(d, dt.time(9), dt.time(11)) for d in range(7)],
        dates=[
            DateHours(dt.date(2026, 6, 1)),
            DateHours(dt.date(2026, 6, 2), dt.time(14), dt.time(15)),
        ],
    )
    utc = ZoneInfo("UTC")
    assert free_slots([cal], _rules(), *_day(dt.date(2026, 6, 1), utc)) == []
    slots = free_slots([cal], _rules(), *_day(dt.date(2026, 6, 2), utc))
    assert [s.start.hour for s in slots] == [14]


def test_notice_and_horizon_cut_the_slots() -> None:
    cal = StaffCalendar(
        staff_id=1, time_zone="UTC", weekly=[WeeklyHours(0, dt.time(9), dt.time(17))]
    )
    start, end = _day(dt.date(2026, 6, 1), ZoneInfo("UTC"))
    rules = Rules(
        duration=60 * MIN,
        step=60 * MIN,
        earliest=dt.datetime(2026, 6, 1, 12, 10, tzinfo=UTC),
        latest=dt.datetime(2026, 6, 1, 15, 0, tzinfo=UTC),
    )
    assert [s.start.hour for s in free_slots([cal], rules, start, end)] == [13, 14, 15]


def test_any_lawyer_slot_lists_everyone_free_at_that_time() -> None:
    a = StaffCalendar(1, "UTC", [WeeklyHours(0, dt.time(9), dt.time(10))])
    b = StaffCalendar(2, "UTC", [WeeklyHours(0, dt.time(9), dt.time(11))])
    slots = free_slots([a, b], _rules(), *_day(dt.date(2026, 6, 1), ZoneInfo("UTC")))
    assert [(s.start.hour, s.staff_ids) for s in slots] == [(9, (1, 2)), (10, (2,))]


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------
BASE = dt.datetime(2026, 3, 28, tzinfo=UTC)  # spans the Warsaw spring-forward weekend


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[StaffCalendar, Rules, dt.datetime, dt.datetime]:
    zone = draw(st.sampled_from(["UTC", "Europe/Warsaw", "America/New_York", "Asia/Kolkata"]))
    weekly = []
    for weekday in range(7):
        for _ in range(draw(st.integers(0, 2))):
            a = draw(st.integers(0, 23 * 4)) * 15
            b = draw(st.integers(a // 15 + 1, 24 * 4 - 1)) * 15
            weekly.append(WeeklyHours(weekday, dt.time(a // 60, a % 60), dt.time(b // 60, b % 60)))
    busy = []
    for _ in range(draw(st.integers(0, 25))):
        s = draw(st.integers(-24 * 60, 4 * 24 * 60))
        length = draw(st.integers(1, 300))
        busy.append(Interval(BASE + s * MIN, BASE + (s + length) * MIN))
    rules = Rules(
        duration=draw(st.sampled_from([15, 30, 45, 60, 90])) * MIN,
        step=draw(st.sampled_from([5, 15, 20, 30, 60])) * MIN,
        earliest=BASE + draw(st.integers(-600, 24 * 60)) * MIN,
        latest=BASE + draw(st.integers(24 * 60, 5 * 24 * 60)) * MIN,
        buffer_before=draw(st.sampled_from([0, 5, 15])) * MIN,
        buffer_after=draw(st.sampled_from([0, 10, 30])) * MIN,
    )
    start = BASE + draw(st.integers(0, 24 * 60)) * MIN
    end = start + draw(st.integers(60, 3 * 24 * 60)) * MIN
    return StaffCalendar(1, zone, weekly, (), busy), rules, start, end


def _blocked(s: int, rules: Rules) -> tuple[int, int]:
    return (
        s - int(rules.buffer_before.total_seconds()),
        s + int((rules.duration + rules.buffer_after).total_seconds()),
    )


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_no_returned_slot_overlaps_a_busy_interval(case: tuple) -> None:
    cal, rules, start, end = case
    busy = [(to_ts(b.start), to_ts(b.end)) for b in cal.busy]
    for s in staff_free_starts(cal, rules, start, end):
        bs, be = _blocked(s, rules)
        assert all(not (bs < e and b < be) for b, e in busy)
        assert to_ts(rules.earliest) <= s <= to_ts(rules.latest)
        assert to_ts(start) <= s < to_ts(end)


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_every_free_slot_is_returned(case: tuple) -> None:
    cal, rules, start, end = case
    got = set(staff_free_starts(cal, rules, start, end))
    busy = [(to_ts(b.start), to_ts(b.end)) for b in cal.busy]
    step = int(rules.step.total_seconds())
    duration = int(rules.duration.total_seconds())
    expected = set()
    # Brute force: every grid point of every working interval, checked one by one.
    for ws, we in working_intervals(cal, start, end):
        for s in range(ws, we - duration + 1, step):
            bs, be = _blocked(s, rules)
            if not (
                max(to_ts(start), to_ts(rules.earliest))
                <= s
                <= min(to_ts(end) - 1, to_ts(rules.latest))
            ):
                continue
            if any(bs < e and b < be for b, e in busy):
                continue
            expected.add(s)
    assert got == expected
