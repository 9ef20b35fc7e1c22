"""Secure messages and how fast the firm answers them."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from portal.models import (
    DocumentVersion,
    Matter,
    Message,
    User,
)
from portal.selectors.firm import firm_get
from portal.selectors.visibility import document_q

WORK_START = dt.time(9)


WORK_END = dt.time(17)


def business_hours_between(start: dt.datetime, end: dt.datetime, tz_name: str) -> float:
    """Hours between two instants that fall Mon–Fri 9:00–17:00 in the firm's zone.

    Works day by day in local wall-clock time, so a daylight-saving change inside the
    span neither adds nor loses an hour of the working day.
    """
    if end <= start:
        return 0.0
    tz = zoneinfo.ZoneInfo(tz_name)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    total = dt.timedelta()
    day = local_start.date()
    while day <= local_end.date():
        if day.weekday() < 5:
            open_at = dt.datetime.combine(day, WORK_START, tzinfo=tz)
            close_at = dt.datetime.combine(day, WORK_END, tzinfo=tz)
            lo = max(open_at, local_start)
            hi = min(close_at, local_end)
            if hi > lo:
                total += hi - lo
        day += dt.timedelta(days=1)
    return round(total.total_seconds() / 3600, 2)


@dataclass(frozen=True)
class ResponseTime:
    message_id: Any
    answered_at: dt.datetime | None
    business_hours: float | None  # None: not answered yet (hours so far in `waiting`)
    waiting: float
    within_promise: bool


def response_times(
    rows: Iterable[tuple[Any, str, dt.datetime]],
    *,
    tz_name: str,
    promise_hours: int,
    now: dt.datetime,
) -> dict[Any, ResponseTime]:
    """For each client message, how long the firm took to write back (pure).

    rows are (id, side, created_at) in any order. A run of client messages is answered
    by the first firm message after it; each is measured from its own time.
    """
    ordered = sorted(rows, key=lambda r: r[2])
    result: dict[Any, ResponseTime] = {}
    waiting: list[tuple[Any, dt.datetime]] = []
    for pk, side, at in ordered:
        if side == Message.Side.CLIENT:
            waiting.append((pk, at))
        elif waiting:
            for wpk, wat in waiting:
                hours = business_hours_between(wat, at, tz_name)
                result[wpk] = ResponseTime(wpk, at, hours, hours, hours <= promise_hours)
            waiting = []
    for wpk, wat in waiting:
        hours = business_hours_between(wat, now, tz_name)
        result[wpk] = ResponseTime(wpk, None, None, hours, hours <= promise_hours)
    return result


def matter_response_times(*, matter: Matter) -> dict[Any, ResponseTime]:
    firm = firm_get()
    rows = matter.messages.values_list("id", "side", "created_at")
    return response_times(
        rows, tz_name=firm.time_zone, promise_hours=firm.response_hours, now=timezone.now()
    )


def messages_for_viewer(*, user: User, matter: Matter) -> QuerySet[Message]:
    """Everyone who may open the matter reads its one thread (checked by the caller)."""
    # A deleted attachment, or one the firm made internal, is not listed (its link would 404).
    attachments = DocumentVersion.objects.filter(document__deleted_at=None).select_related(
        "document"
    )
    attachments = attachments.filter(document_q(user, "document__"))
    return (
        matter.messages.select_related("sender", "read_by")
        .prefetch_related(Prefetch("attachments", queryset=attachments))
        .order_by("-created_at")
    )
