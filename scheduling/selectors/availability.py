"""Free slots: the data the availability engine needs, in a fixed number of queries.

Availability always costs the same number of queries (service, its staff, their rules,
their appointments, their busy times) whatever the number of rows behind them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db import EpochSeconds, raw_rows
from portal import selectors as portal_selectors
from scheduling import availability as engine
from scheduling.models import (
    BLOCKING_STATUSES,
    Appointment,
    AvailabilityRule,
    BusyTime,
    Service,
)
from scheduling.selectors.connections import staff_offline_ids

MAX_RANGE_DAYS = 62

if TYPE_CHECKING:
    from portal.models import User


def _staff_queryset() -> QuerySet[User]:
    return portal_selectors.active_staff().order_by("id")


def rules_for(service: Service, *, now: dt.datetime) -> engine.Rules:
    return engine.Rules(
        duration=dt.timedelta(minutes=service.duration_minutes),
        step=dt.timedelta(minutes=service.slot_step_minutes),
        earliest=now + dt.timedelta(minutes=service.min_notice_minutes),
        latest=now + dt.timedelta(days=service.horizon_days),
        buffer_before=dt.timedelta(minutes=service.buffer_before_minutes),
        buffer_after=dt.timedelta(minutes=service.buffer_after_minutes),
    )


def staff_calendars(
    *,
    staff: Sequence[User],
    start: dt.datetime,
    end: dt.datetime,
    include_appointments: bool = True,
    exclude_appointment_ids: Iterable[Any] = (),
) -> list[engine.StaffCalendar]:
    """Working hours and busy times of these staff around [start, end): two queries."""
    if not staff:
        return []
    ids = [s.pk for s in staff]
    # Busy times reaching into the window from a day either side still matter (buffers).
    lo, hi = start - dt.timedelta(days=1), end + dt.timedelta(days=1)
    weekly: dict[int, list[engine.WeeklyHours]] = {i: [] for i in ids}
    dates: dict[int, list[engine.DateHours]] = {i: [] for i in ids}
    # Busy ranges arrive as UTC seconds straight from SQL (core.db.EpochSeconds).
    busy: dict[int, list[engine.TsRange]] = {i: [] for i in ids}
    rules = (
        AvailabilityRule.objects.filter(staff_id__in=ids)
        .filter(Q(weekday__isnull=False) | Q(date__range=(lo.date(), hi.date())))
        .values_list("staff_id", "weekday", "date", "start", "end", "is_off")
    )
    for staff_id, weekday, date, begin, finish, is_off in rules:
        if date is not None:
            dates[staff_id].append(
                engine.DateHours(
                    date=date, start=None if is_off else begin, end=None if is_off else finish
                )
            )
        elif not is_off and weekday is not None and begin is not None and finish is not None:
            weekly[staff_id].append(engine.WeeklyHours(weekday=weekday, start=begin, end=finish))
    # Appointments and busy times in one query, as plain integers (no converters).
    busy_times: QuerySet[Any, Any] = (
        BusyTime.objects.filter(staff_id__in=ids, start_at__lt=hi, end_at__gt=lo)
        .order_by()
        .values_list("staff_id", EpochSeconds("start_at"), EpochSeconds("end_at"))
    )
    if include_appointments:
        appointments = (
            Appointment.objects.filter(
                staff_id__in=ids,
                status__in=BLOCKING_STATUSES,
                blocked_start__lt=hi,
                blocked_end__gt=lo,
            )
            .exclude(pk__in=list(exclude_appointment_ids))
            # A hold whose time is up is free again, even before the sweep expires it.
            .exclude(status=Appointment.Status.HELD, hold_expires_at__lte=timezone.now())
            .order_by()
            .values_list("staff_id", EpochSeconds("blocked_start"), EpochSeconds("blocked_end"))
        )
        busy_times = appointments.union(busy_times, all=True)
    for staff_id, s, e in raw_rows(busy_times):
        busy[staff_id].append((s, e))
    return [
        engine.StaffCalendar(
            staff_id=s.pk,
            time_zone=s.time_zone or firm_time_zone(),
            weekly=weekly[s.pk],
            dates=dates[s.pk],
            busy=busy[s.pk],
        )
        for s in staff
    ]


def firm_time_zone() -> str:
    return portal_selectors.firm_get().time_zone or "UTC"


def slots_list(
    *,
    service: Service,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime | None = None,
    staff: Sequence[User] | None = None,
    include_appointments: bool = True,
    exclude_appointment_ids: Iterable[Any] = (),
    online: bool = False,
    latest: dt.datetime | None = None,
) -> list[engine.Slot]:
    """Free slots of the service's staff (or these); `online` drops fail-closed staff;
    `latest` replaces the booking horizon (moving a booking)."""
    now = now or timezone.now()
    members = list(staff) if staff is not None else service.offering_staff()
    if online:
        members = online_members(members, now=now)
    calendars = staff_calendars(
        staff=members,
        start=start,
        end=end,
        include_appointments=include_appointments,
        exclude_appointment_ids=exclude_appointment_ids,
    )
    rules = rules_for(service, now=now)
    if latest is not None:
        rules = replace(rules, latest=latest)
    return engine.free_slots(calendars, rules, start, end)


def online_members(members: list[User], *, now: dt.datetime) -> list[User]:
    """Staff whose calendars are current enough for online booking (calendar-sync §5)."""
    offline = staff_offline_ids(staff_ids=[m.pk for m in members], now=now)
    return [m for m in members if m.pk not in offline]


def online_booking_paused(service: Service, *, now: dt.datetime | None = None) -> bool:
    """Every lawyer of this service is hidden because their calendar cannot be read."""
    members = service.offering_staff()
    return bool(members) and not online_members(members, now=now or timezone.now())


def slot_starts(
    *,
    service: Service,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime | None = None,
    staff: Sequence[User] | None = None,
    online: bool = False,
) -> list[tuple[int, tuple[int, ...]]]:
    """Free start instants (UTC seconds) with the ids of the staff free at each;
    `online` drops fail-closed staff (as slots_list)."""
    now = now or timezone.now()
    members = list(staff) if staff is not None else service.offering_staff()
    if online:
        members = online_members(members, now=now)
    calendars = staff_calendars(staff=members, start=start, end=end)
    return engine.free_starts(calendars, rules_for(service, now=now), start, end)


def slots_payload(
    *,
    service: Service,
    zone: ZoneInfo,
    start: dt.datetime,
    end: dt.datetime,
    staff: Sequence[User] | None = None,
) -> tuple[dict[str, Any], float]:
    """The slots API's answer, and until when (epoch seconds) it stays true by the clock.

    Compact: each slot is its start in the asked zone and the ids of the staff free then;
    the names come once, in "staff". Staff whose fail-closed calendar cannot be read are
    left out (online_members). As time passes the first start falls inside the
    service's minimum notice: the answer is true until then (a change of data is the
    availability version's business, scheduling.slots_cache).
    """
    now = timezone.now()
    starts = slot_starts(service=service, start=start, end=end, now=now, staff=staff, online=True)
    names = staff_names(service)
    offered = sorted({i for _s, ids in starts for i in ids})
    payload = {
        "service": service.slug,
        "time_zone": zone.key,
        "duration": service.duration_minutes,
        "staff": [{"id": i, "name": names.get(i, "")} for i in offered],
        "slots": engine.compact_slots(starts, zone),
        # Every lawyer's calendar is unreadable (fail closed): the page says to call.
        "online_booking_paused": not starts and online_booking_paused(service, now=now),
    }
    valid_until = now.timestamp() + 24 * 3600
    if starts:
        valid_until = min(valid_until, starts[0][0] - service.min_notice_minutes * 60)
    return payload, valid_until


def staff_names(service: Service) -> dict[int, str]:
    return {s.pk: s.get_full_name() or str(_("Lawyer")) for s in service.offering_staff()}


def staff_list() -> list[User]:
    return list(_staff_queryset())
