"""The public booking page's month: which days have free times, and the times of each.

One engine pass (slot_starts, integers) over the days of the month that fall inside the
service's notice and horizon; the page shows the month grid with the free days marked and
the times of every free day (the browser switches days without a page load).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.utils import timezone

from core.time import day_window
from portal import selectors as portal_selectors
from scheduling.selectors.availability import slot_starts
from scheduling.selectors.bookings import reschedule_latest, slots_for_change

if TYPE_CHECKING:
    from portal.models import User
    from scheduling.models import Appointment, Service
    from scheduling.selectors.packages import StepBounds

# How many months ahead the page looks for the first free day when none is asked for
# (the horizon is at most 366 days).
MAX_MONTHS_SEARCHED = 13


@dataclass(frozen=True)
class TimeOption:
    start: dt.datetime  # in the viewer's zone
    staff_ids: tuple[int, ...]


@dataclass
class BookingMonth:
    month: dt.date  # its first day
    today: dt.date
    last_day: dt.date  # the horizon's last day
    weeks: list[list[dt.date | None]]
    times: dict[dt.date, list[TimeOption]] = field(default_factory=dict)
    # Moving a package step: later times that move the later steps along (after a
    # confirmation); the days that only have these are marked too.
    moving: dict[dt.date, list[TimeOption]] = field(default_factory=dict)

    @property
    def free_days(self) -> list[dt.date]:
        return sorted({*self.times, *self.moving})

    @property
    def first_free(self) -> dt.date | None:
        days = self.free_days
        return days[0] if days else None

    @property
    def prev_month(self) -> dt.date | None:
        if self.month <= self.today.replace(day=1):
            return None
        return (self.month - dt.timedelta(days=1)).replace(day=1)

    @property
    def next_month(self) -> dt.date | None:
        after = _next_month(self.month)
        return after if after <= self.last_day else None


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _month_grid(month: dt.date) -> list[list[dt.date | None]]:
    """Weeks from Monday, None outside the month."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    return [[d if d.month == month.month else None for d in week] for week in weeks]


def _month_times(
    *,
    service: Service,
    zone: ZoneInfo,
    month: dt.date,
    today: dt.date,
    last_day: dt.date,
    staff: Sequence[User] | None,
    now: dt.datetime,
) -> dict[dt.date, list[TimeOption]]:
    first = max(month, today)
    last = min(_next_month(month) - dt.timedelta(days=1), last_day)
    if last < first:
        return {}
    start, end = day_window(start=first, end=last, zone=zone)
    starts = slot_starts(service=service, start=start, end=end, now=now, staff=staff, online=True)
    times: dict[dt.date, list[TimeOption]] = {}
    for seconds, ids in starts:
        local = dt.datetime.fromtimestamp(seconds, zone)
        times.setdefault(local.date(), []).append(TimeOption(start=local, staff_ids=ids))
    return times


def booking_month(
    *,
    service: Service,
    zone: ZoneInfo,
    month: dt.date | None = None,
    staff: Sequence[User] | None = None,
    now: dt.datetime | None = None,
) -> BookingMonth:
    """The asked month (clamped to today .. the horizon), or the first with a free time."""
    now = now or timezone.now()
    today = now.astimezone(zone).date()
    last_day = today + dt.timedelta(days=service.horizon_days)
    this_month = today.replace(day=1)
    if month is not None:
        wanted = min(max(month.replace(day=1), this_month), last_day.replace(day=1))
        candidates = [wanted]
    else:
        candidates = []
        probe = this_month
        while probe <= last_day and len(candidates) < MAX_MONTHS_SEARCHED:
            candidates.append(probe)
            probe = _next_month(probe)
    times: dict[dt.date, list[TimeOption]] = {}
    for candidate in candidates:
        times = _month_times(
            service=service,
            zone=zone,
            month=candidate,
            today=today,
            last_day=last_day,
            staff=staff,
            now=now,
        )
        if times:
            break
    shown = candidate if times else candidates[0]
    return BookingMonth(
        month=shown, today=today, last_day=last_day, weeks=_month_grid(shown), times=times
    )


def _change_times(
    *,
    appointment: Appointment,
    zone: ZoneInfo,
    month: dt.date,
    today: dt.date,
    last_day: dt.date,
    latest: dt.datetime,
    bounds: StepBounds | None,
    now: dt.datetime,
) -> tuple[dict[dt.date, list[TimeOption]], dict[dt.date, list[TimeOption]]]:
    """The month's free times for moving this booking (its own person, the booking itself
    not in the way), and for a package step the later ones that move the steps after it."""
    first = max(month, today)
    last = min(_next_month(month) - dt.timedelta(days=1), last_day)
    if last < first:
        return {}, {}
    start, end = day_window(start=first, end=last, zone=zone)
    slots = slots_for_change(
        service=appointment.service,
        staff=[appointment.staff],
        start=start,
        end=end,
        now=now,
        latest=latest,
        exclude_appointment_ids=[appointment.pk],
        online=True,
    )
    times: dict[dt.date, list[TimeOption]] = {}
    moving: dict[dt.date, list[TimeOption]] = {}
    ids = (appointment.staff_id,)
    for slot in slots:
        local = slot.start.astimezone(zone)
        option = TimeOption(start=local, staff_ids=ids)
        if bounds is None or bounds.allows(slot.start, slot.end):
            times.setdefault(local.date(), []).append(option)
        elif bounds.earliest is None or slot.start >= bounds.earliest:
            moving.setdefault(local.date(), []).append(option)
    return times, moving


def reschedule_month(
    *,
    appointment: Appointment,
    zone: ZoneInfo,
    month: dt.date | None = None,
    bounds: StepBounds | None = None,
    now: dt.datetime | None = None,
) -> BookingMonth:
    """The month for moving a booking: the asked one (clamped to today .. the latest it
    may move to, whatever the service's horizon), or the booked date's month, else the
    nearest month after (then before) it with a free time."""
    now = now or timezone.now()
    today = now.astimezone(zone).date()
    latest = reschedule_latest(appointment=appointment, now=now)
    last_day = latest.astimezone(zone).date()
    this_month = today.replace(day=1)
    booked_month = max(appointment.start_at.astimezone(zone).date(), today).replace(day=1)
    booked_month = min(booked_month, last_day.replace(day=1))
    if month is not None:
        candidates = [min(max(month.replace(day=1), this_month), last_day.replace(day=1))]
    else:
        candidates = [booked_month]
        probe = _next_month(booked_month)
        while probe <= last_day and len(candidates) < MAX_MONTHS_SEARCHED:
            candidates.append(probe)
            probe = _next_month(probe)
        probe = booked_month
        while probe > this_month and len(candidates) < 2 * MAX_MONTHS_SEARCHED:
            probe = (probe - dt.timedelta(days=1)).replace(day=1)
            candidates.append(probe)
    times: dict[dt.date, list[TimeOption]] = {}
    moving: dict[dt.date, list[TimeOption]] = {}
    for candidate in candidates:
        times, moving = _change_times(
            appointment=appointment,
            zone=zone,
            month=candidate,
            today=today,
            last_day=last_day,
            latest=latest,
            bounds=bounds,
            now=now,
        )
        if times or moving:
            break
    shown = candidate if times or moving else candidates[0]
    return BookingMonth(
        month=shown,
        today=today,
        last_day=last_day,
        weeks=_month_grid(shown),
        times=times,
        moving=moving,
    )


def nearest_free_day(month: BookingMonth, around: dt.date) -> dt.date | None:
    """The free day on or after `around`, else the last one before it."""
    days = month.free_days
    after = [d for d in days if d >= around]
    if after:
        return after[0]
    return days[-1] if days else None


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    role: str
    initials: str
    photo_url: str = ""
    practice_areas: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    profile: str = ""


def service_people(service: Service) -> list[Person]:
    """Who the booker may pick for this service (the first step's people for a package),
    with what their booking page profile says, in the reader's language."""
    steps = list(service.steps.all())
    offering = {m.pk for m in steps[0].service.offering_staff()} if steps else None
    people = []
    for member in service.offering_staff():
        if not member.is_active or (offering is not None and member.pk not in offering):
            continue
        name = member.get_full_name() or member.email
        initials = "".join(part[:1] for part in name.split()[:2]).upper()
        card = portal_selectors.staff_card(member)
        people.append(
            Person(
                id=member.pk,
                name=name,
                role=member.get_staff_title_display() if member.staff_title else "",
                initials=initials,
                photo_url=card.photo_url,
                practice_areas=card.practice_areas,
                languages=card.languages,
                profile=card.profile,
            )
        )
    return sorted(people, key=lambda p: p.name)
