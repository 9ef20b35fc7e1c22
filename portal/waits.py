"""One definition of a wait: how long a client waited for the firm (pure: no ORM).

A **wait** starts at the first client message after the firm's last message in a matter
(or after the last "no reply needed") and ends at the firm's next message there, or when
staff mark a message of that run as needing no reply, whichever comes first. Client
messages written while a wait is open belong to it: a run of three messages is one wait.

It is measured in business time of the firm's calendar, so a message sent on Saturday
starts counting at Monday's opening (``clock_started_at``). It is judged against the
promise in force when it started: the ``promise_hours`` stored on its first message.

The matter page's response badge and the insights metric "response time vs promise"
both call ``waits``, so the two can never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from core.business_time import BusinessCalendar

__all__ = ["Wait", "WaitMessage", "waits"]

CLIENT = "client"
FIRM = "firm"

EndKind = Literal["reply", "no_reply"]


class WaitMessage(Protocol):
    """What ``waits`` reads of a message (a ``portal.Message`` has all of it)."""

    @property
    def id(self) -> Any: ...
    @property
    def matter_id(self) -> Any: ...
    @property
    def side(self) -> str: ...
    @property
    def sender_id(self) -> Any: ...
    @property
    def created_at(self) -> dt.datetime: ...
    @property
    def promise_hours(self) -> int | None: ...
    @property
    def no_reply_needed_at(self) -> dt.datetime | None: ...
    @property
    def no_reply_by_id(self) -> Any: ...


@dataclass(frozen=True)
class Wait:
    matter_id: Any
    client_message_id: Any  # the first client message of the run
    started_at: dt.datetime  # when that message was sent
    clock_started_at: dt.datetime  # when business time started counting (next opening)
    ended_at: dt.datetime | None  # None while the client still waits
    end_kind: EndKind | None  # "reply", "no_reply", or None while open
    business_seconds: float  # up to ended_at, or up to now while open
    promise_hours: int
    due_at: dt.datetime  # started_at plus promise_hours of business time
    within_promise: bool  # an open wait is over once it passes the promise
    responder_id: Any  # who replied or marked it; None while open
    message_ids: tuple[Any, ...]  # every client message of the run, in order

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def business_hours(self) -> float:
        return self.business_seconds / 3600


@dataclass
class _Run:
    first: WaitMessage
    ids: list[Any]


def waits(
    messages: Iterable[WaitMessage],
    calendar: BusinessCalendar,
    now: dt.datetime,
    *,
    default_promise_hours: int = 24,
    started_in: tuple[dt.datetime, dt.datetime] | None = None,
) -> list[Wait]:
    """Every wait in these messages, of any number of matters, in order of start.

    ``default_promise_hours`` judges a run whose first message has no stored promise.
    Messages sent after ``now`` are ignored; a mark made after ``now`` has not happened.
    ``started_in`` (start, end): only the waits whose first message was sent in
    [start, end), the others not measured at all.
    """
    by_matter: dict[Any, list[WaitMessage]] = defaultdict(list)
    for message in messages:
        if message.created_at <= now:
            by_matter[message.matter_id].append(message)
    result: list[Wait] = []
    for matter_id, rows in by_matter.items():
        found = _matter_waits(matter_id, rows, calendar, now, default_promise_hours, started_in)
        result.extend(found)
    result.sort(key=lambda w: (w.started_at, str(w.matter_id)))
    return result


def _matter_waits(
    matter_id: Any,
    rows: list[WaitMessage],
    calendar: BusinessCalendar,
    now: dt.datetime,
    default_promise_hours: int,
    started_in: tuple[dt.datetime, dt.datetime] | None = None,
) -> list[Wait]:
    # Events in time order: messages, and the instants staff marked a client message.
    # At the same instant a message comes before a mark, and a mark ends only the run
    # its message belongs to.
    events: list[tuple[dt.datetime, int, WaitMessage]] = []
    for m in rows:
        events.append((m.created_at, 0, m))
        if m.side == CLIENT and m.no_reply_needed_at is not None and m.no_reply_needed_at <= now:
            events.append((max(m.no_reply_needed_at, m.created_at), 1, m))
    events.sort(key=lambda e: (e[0], e[1]))
    result: list[Wait] = []
    run: _Run | None = None
    for at, kind, m in events:
        if kind == 0 and m.side == CLIENT:
            if run is None:
                run = _Run(first=m, ids=[m.id])
            else:
                run.ids.append(m.id)
        elif run is not None and kind == 0:  # a firm message answers the run
            if _wanted(run, started_in):
                result.append(
                    _closed(run, at, "reply", m.sender_id, calendar, default_promise_hours)
                )
            run = None
        elif run is not None and m.id in run.ids:  # "no reply needed" on a message of it
            if _wanted(run, started_in):
                result.append(
                    _closed(run, at, "no_reply", m.no_reply_by_id, calendar, default_promise_hours)
                )
            run = None
    if run is not None and _wanted(run, started_in):
        result.append(_open(run, now, calendar, default_promise_hours))
    return result


def _wanted(run: _Run, started_in: tuple[dt.datetime, dt.datetime] | None) -> bool:
    return started_in is None or started_in[0] <= run.first.created_at < started_in[1]


def _promise(run: _Run, default: int) -> int:
    stored = run.first.promise_hours
    return default if stored is None else stored


def _wait(
    run: _Run,
    *,
    until: dt.datetime,
    ended_at: dt.datetime | None,
    end_kind: EndKind | None,
    responder_id: Any,
    calendar: BusinessCalendar,
    default_promise_hours: int,
) -> Wait:
    started = run.first.created_at
    promise = _promise(run, default_promise_hours)
    seconds = calendar.business_time_between(started, until).total_seconds()
    return Wait(
        matter_id=run.first.matter_id,
        client_message_id=run.first.id,
        started_at=started,
        clock_started_at=calendar.next_opening(started),
        ended_at=ended_at,
        end_kind=end_kind,
        business_seconds=max(seconds, 0.0),
        promise_hours=promise,
        due_at=calendar.add_business_hours(started, promise),
        within_promise=seconds <= promise * 3600,
        responder_id=responder_id,
        message_ids=tuple(run.ids),
    )


def _closed(
    run: _Run,
    at: dt.datetime,
    kind: EndKind,
    responder_id: Any,
    calendar: BusinessCalendar,
    default_promise_hours: int,
) -> Wait:
    return _wait(
        run,
        until=at,
        ended_at=at,
        end_kind=kind,
        responder_id=responder_id,
        calendar=calendar,
        default_promise_hours=default_promise_hours,
    )


def _open(run: _Run, now: dt.datetime, calendar: BusinessCalendar, default: int) -> Wait:
    return _wait(
        run,
        until=now,
        ended_at=None,
        end_kind=None,
        responder_id=None,
        calendar=calendar,
        default_promise_hours=default,
    )
