"""iCalendar files: rendering appointments and reading busy times (pure: no ORM, no settings).

Beside the availability engine: both work on plain values, so they can be tested alone.
Selectors gather the data (appointments, links, the firm's name) and call these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from icalendar import Calendar, Event, vCalAddress, vText

UTC = dt.UTC


@dataclass(frozen=True)
class Entry:
    """One VEVENT. Every calendar copy of an appointment shares uid and sequence."""

    uid: str
    sequence: int
    start: dt.datetime
    end: dt.datetime
    summary: str
    location: str = ""
    url: str = ""
    status: str = ""  # CONFIRMED, CANCELLED or empty
    description: str = ""


@dataclass(frozen=True)
class Organizer:
    email: str
    name: str


def render(
    entries: Iterable[Entry],
    *,
    prodid: str,
    now: dt.datetime,
    method: str | None = None,
    name: str | None = None,
    organizer: Organizer | None = None,
) -> bytes:
    """An iCalendar file with one VEVENT per entry (times in UTC)."""
    if method is not None and method not in ("REQUEST", "CANCEL", "PUBLISH"):
        raise ValueError(method)
    cal = Calendar()
    cal.add("prodid", prodid)
    cal.add("version", "2.0")
    if method is not None:
        cal.add("calscale", "GREGORIAN")
        cal.add("method", method)
    if name is not None:
        cal.add("x-wr-calname", name)
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        event.add("sequence", entry.sequence)
        event.add("dtstamp", now)
        event.add("dtstart", entry.start.astimezone(UTC))
        event.add("dtend", entry.end.astimezone(UTC))
        event.add("summary", entry.summary)
        if organizer is not None:
            address = vCalAddress(f"mailto:{organizer.email}")
            address.params["cn"] = vText(organizer.name)
            event.add("organizer", address)
        if entry.location:
            event.add("location", entry.location)
        if entry.url:
            event.add("url", entry.url)
        if entry.status:
            event.add("status", entry.status)
        if entry.description:
            event.add("description", entry.description)
        cal.add_component(event)
    return bytes(cal.to_ical())


def busy_intervals(
    data: bytes, *, zone: ZoneInfo, start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Busy times of an iCalendar file between two instants (recurrences expanded).

    Free (TRANSPARENT) and cancelled events do not count; an all-day event blocks the whole
    local day(s) in `zone`, the calendar owner's zone.
    """
    calendar = icalendar.Calendar.from_ical(data)
    result: list[tuple[dt.datetime, dt.datetime]] = []
    # Any: icalendar types each property as a union of its 30 value classes.
    events: Sequence[Any] = recurring_ical_events.of(calendar).between(start, end)
    for event in events:
        if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
            continue
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        s = event["DTSTART"].dt
        e = event["DTEND"].dt if "DTEND" in event else None
        if not isinstance(s, dt.datetime):
            e = e if e is not None and not isinstance(e, dt.datetime) else s + dt.timedelta(1)
            s = dt.datetime.combine(s, dt.time(0), tzinfo=zone)
            e = dt.datetime.combine(e, dt.time(0), tzinfo=zone)
        else:
            if s.tzinfo is None:
                s = s.replace(tzinfo=zone)
            if e is None:
                e = s + (event["DURATION"].dt if "DURATION" in event else dt.timedelta(0))
            elif e.tzinfo is None:
                e = e.replace(tzinfo=zone)
        if e > s:
            result.append((s.astimezone(UTC), e.astimezone(UTC)))
    return result
