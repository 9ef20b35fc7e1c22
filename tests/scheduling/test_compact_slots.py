"""The slots API's compact answer (starts in the asked zone, staff ids, names once) reads
back to exactly the engine's slots: a month across a daylight-saving change."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.availability import (
    DateHours,
    Interval,
    Rules,
    Slot,
    StaffCalendar,
    WeeklyHours,
    compact_slots,
    free_slots,
    free_starts,
    staff_free_starts,
)

UTC = dt.UTC
ZONES = ["Europe/Warsaw", "America/New_York", "Asia/Kolkata", "UTC", "Australia/Lord_Howe"]
# October 2026 holds Europe's fall-back (25th); November 1st is New York's.
MONTH_START = dt.datetime(2026, 10, 10, tzinfo=UTC)
MONTH_END = dt.datetime(2026, 11, 9, tzinfo=UTC)


def parse(body: bytes, duration: dt.timedelta) -> list[Slot]:
    """What a client of the API does: start from the ISO string, end = start + duration."""
    slots = []
    for item in json.loads(body)["slots"]:
        start = dt.datetime.fromisoformat(item["start"])
        slots.append(Slot(start=start, end=start + duration, staff_ids=tuple(item["staff"])))
    return slots


@st.composite
def calendars(draw: st.DrawFn) -> list[StaffCalendar]:
    result = []
    for staff_id in range(1, draw(st.integers(1, 4)) + 1):
        weekly = []
        for weekday in draw(st.sets(st.integers(0, 6), min_size=1)):
            # hours around the 01:00-03:00 change, and ordinary office hours
            begin = draw(st.integers(0, 20))
            length = draw(st.integers(1, 10))
            weekly.append(
                WeeklyHours(
                    weekday=weekday,
                    start=dt.time(begin, draw(st.sampled_from([0, 30]))),
                    end=dt.time(min(23, begin + length), 45),
                )
            )
        busy = []
        for _ in range(draw(st.integers(0, 12))):
            start = MONTH_START + dt.timedelta(minutes=draw(st.integers(0, 30 * 24 * 60)))
            busy.append(Interval(start, start + dt.timedelta(minutes=draw(st.integers(5, 300)))))
        dates = [
            DateHours(date=dt.date(2026, 10, 25))
            if draw(st.booleans())
            else DateHours(date=dt.date(2026, 10, 25), start=dt.time(1), end=dt.time(4))
        ]
        result.append(
            StaffCalendar(
                staff_id=staff_id,
                time_zone=draw(st.sampled_from(ZONES)),
                weekly=weekly,
                dates=dates,
                busy=busy,
            )
        )
    return result


@settings(max_examples=40, deadline=None)
@given(
    cals=calendars(),
    viewer=st.sampled_from(ZONES),
    duration=st.sampled_from([15, 30, 45, 60, 90]),
    step=st.sampled_from([15, 30, 60]),
    before=st.sampled_from([0, 10]),
    after=st.sampled_from([0, 15]),
)
def test_compact_answer_reads_back_to_the_engines_slots(
    cals: list[StaffCalendar], viewer: str, duration: int, step: int, before: int, after: int
) -> None:
    zone = ZoneInfo(viewer)
    rules = Rules(
        duration=dt.timedelta(minutes=duration),
        step=dt.timedelta(minutes=step),
        earliest=MONTH_START,
        latest=MONTH_END,
        buffer_before=dt.timedelta(minutes=before),
        buffer_after=dt.timedelta(minutes=after),
    )
    expected = free_slots(cals, rules, MONTH_START, MONTH_END)

    body = json.dumps(
        {"slots": compact_slots(free_starts(cals, rules, MONTH_START, MONTH_END), zone)}
    ).encode()

    assert parse(body, rules.duration) == expected
    # the answer as it was before the compact shape: start and end strings per slot
    before_shape = [
        (slot.start.astimezone(zone).isoformat(), slot.end.astimezone(zone).isoformat())
        for slot in expected
    ]
    assert [
        (s.start.isoformat(), s.end.astimezone(zone).isoformat())
        for s in parse(body, rules.duration)
    ] == before_shape
    # and who is free at each start is each calendar's own free starts, merged
    by_start: dict[int, list[int]] = {}
    for cal in cals:
        for ts in staff_free_starts(cal, rules, MONTH_START, MONTH_END):
            by_start.setdefault(ts, []).append(cal.staff_id)
    assert [(int(s.start.timestamp()), s.staff_ids) for s in parse(body, rules.duration)] == [
        (ts, tuple(ids)) for ts, ids in sorted(by_start.items())
    ]
    # and each start is written in the viewer's zone, with that moment's offset
    for item, slot in zip(json.loads(body)["slots"], expected, strict=True):
        assert (
            dt.datetime.fromisoformat(item["start"]).utcoffset()
            == slot.start.astimezone(zone).utcoffset()
        )


def test_the_two_half_past_twos_of_the_fall_back_night_stay_apart() -> None:
    warsaw = ZoneInfo("Europe/Warsaw")
    cal = StaffCalendar(
        staff_id=7,
        time_zone="Europe/Warsaw",
        dates=[DateHours(date=dt.date(2026, 10, 25), start=dt.time(2), end=dt.time(3))],
    )
    rules = Rules(
        duration=dt.timedelta(minutes=30),
        step=dt.timedelta(minutes=30),
        earliest=MONTH_START,
        latest=MONTH_END,
    )
    start = dt.datetime(2026, 10, 25, tzinfo=warsaw)
    starts = free_starts([cal], rules, start, start + dt.timedelta(days=1))

    # 02:00-03:00 that night is two hours long: both 02:30s are offered, told apart
    assert [s["start"] for s in compact_slots(starts, warsaw)] == [
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:30:00+02:00",
        "2026-10-25T02:00:00+01:00",
        "2026-10-25T02:30:00+01:00",
    ]
