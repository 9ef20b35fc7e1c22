"""Packages: the plan of every step before it is booked, and the bounds a step may move in.

A package's first step is at the time the booker picked; each later step is at least its
gap in days after the previous one ends, with someone who offers that step's own service:
the same person as the first step when they can within PREFER_SAME_DAYS, and at the first
step's wall-clock time when that is free (so times do not drift from step to step).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.utils import timezone

from scheduling import availability as engine
from scheduling.models import BLOCKING_STATUSES, Appointment, PackageStep
from scheduling.selectors.availability import (
    online_members,
    rules_for,
    slots_list,
    staff_calendars,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from portal.models import User
    from scheduling.models import Service

SEARCH_DAYS = 45
PREFER_SAME_DAYS = 14


@dataclass(frozen=True)
class PlannedStep:
    service: Service
    staff: User
    start: dt.datetime
    end: dt.datetime

    @property
    def blocked(self) -> engine.Interval:
        return engine.Interval(
            self.start - dt.timedelta(minutes=self.service.buffer_before_minutes),
            self.end + dt.timedelta(minutes=self.service.buffer_after_minutes),
        )


def earliest_after(end: dt.datetime, gap_days: int, zone: ZoneInfo) -> dt.datetime:
    """The earliest start `gap_days` after a step ending at `end`: right after it for 0,
    else from the start of the day that many calendar days later (a step at 10:00 on
    Tuesday and one at 10:00 the next Tuesday are a week apart)."""
    if gap_days <= 0:
        return end
    day = end.astimezone(zone).date() + dt.timedelta(days=gap_days)
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone)


def latest_end_before(start: dt.datetime, gap_days: int, zone: ZoneInfo) -> dt.datetime:
    """The latest end of a step that the next one, starting at `start`, follows by
    `gap_days` (the mirror of earliest_after)."""
    if gap_days <= 0:
        return start
    day = start.astimezone(zone).date() - dt.timedelta(days=gap_days - 1)
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone)


def package_steps(package: Service) -> list[PackageStep]:
    return list(package.steps.all())


def step_staff(step_service: Service) -> list[User]:
    """Who may take a step: the active staff offering that step's own service."""
    return [m for m in step_service.offering_staff() if m.is_active]


def plan_fingerprint(plan: Sequence[PlannedStep]) -> str:
    """What the booker saw and confirms: each step's start and person."""
    return ";".join(f"{p.start.astimezone(dt.UTC).isoformat()}@{p.staff.pk}" for p in plan)


def _pick(
    slots: Sequence[engine.Slot], *, preferred: int, wanted: dt.time, zone: ZoneInfo
) -> tuple[engine.Slot, int] | None:
    """The earliest day, then the slot nearest the wanted wall-clock time."""
    best: tuple[engine.Slot, int] | None = None
    best_key: tuple[dt.date, int] | None = None
    wanted_s = wanted.hour * 3600 + wanted.minute * 60
    for slot in slots:
        local = slot.start.astimezone(zone)
        seconds = local.hour * 3600 + local.minute * 60
        key = (local.date(), abs(seconds - wanted_s))
        if best_key is None or key < best_key:
            person = preferred if preferred in slot.staff_ids else slot.staff_ids[0]
            best, best_key = (slot, person), key
    return best


def package_plan(
    *,
    package: Service,
    first_start: dt.datetime,
    first_staff: User,
    now: dt.datetime | None = None,
    taken: Sequence[tuple[int, engine.Interval]] = (),
    online: bool = False,
) -> list[PlannedStep] | None:
    """Every step's service, person and time; None when a later step finds no time.

    The first step is taken as given (the caller checked it); `taken` adds (staff id,
    interval) pairs to keep clear. `online` (a client booking) leaves out staff whose
    fail-closed calendar cannot be read.
    """
    now = now or timezone.now()
    steps = package_steps(package)
    if not steps:
        return None
    first_service = steps[0].service
    plan = [
        PlannedStep(
            service=first_service,
            staff=first_staff,
            start=first_start,
            end=first_start + dt.timedelta(minutes=first_service.duration_minutes),
        )
    ]
    zone = ZoneInfo(first_staff.time_zone or "UTC")
    wanted = first_start.astimezone(zone).time()
    for step in steps[1:]:
        placed = _place_step(
            plan,
            service=step.service,
            gap_days=step.min_gap_days,
            preferred=first_staff.pk,
            wanted=wanted,
            zone=zone,
            now=now,
            online=online,
            taken=taken,
        )
        if placed is None:
            return None
        plan.append(placed)
    return plan


def _place_step(
    plan: Sequence[PlannedStep],
    *,
    service: Service,
    gap_days: int,
    preferred: int,
    wanted: dt.time,
    zone: ZoneInfo,
    now: dt.datetime,
    online: bool,
    taken: Sequence[tuple[int, engine.Interval]] = (),
    exclude_appointment_ids: Sequence[object] = (),
) -> PlannedStep | None:
    """The next step after `plan`: its gap after the previous step, with someone offering
    its service (`preferred` when they can within PREFER_SAME_DAYS), nearest `wanted`."""
    previous = plan[-1]
    after = max(earliest_after(previous.end, gap_days, zone), previous.end)
    people = step_staff(service)
    if online:
        people = online_members(people, now=now)
    if not people:
        return None
    end = after + dt.timedelta(days=SEARCH_DAYS)
    busy_extra: dict[int, list[engine.Interval]] = {}
    for staff_id, interval in taken:
        busy_extra.setdefault(staff_id, []).append(interval)
    for placed in plan:
        busy_extra.setdefault(placed.staff.pk, []).append(placed.blocked)
    calendars = [
        engine.StaffCalendar(
            c.staff_id,
            c.time_zone,
            c.weekly,
            c.dates,
            tuple(c.busy) + tuple(busy_extra.get(c.staff_id, ())),
        )
        for c in staff_calendars(
            staff=people, start=after, end=end, exclude_appointment_ids=exclude_appointment_ids
        )
    ]
    # Later steps are planned with the booking, so the horizon does not cut them off.
    rules = replace(rules_for(service, now=now), latest=end)
    same = [c for c in calendars if c.staff_id == preferred]
    chosen = None
    if same:
        near = after + dt.timedelta(days=PREFER_SAME_DAYS)
        chosen = _pick(
            engine.free_slots(same, rules, after, near),
            preferred=preferred,
            wanted=wanted,
            zone=zone,
        )
    if chosen is None:
        chosen = _pick(
            engine.free_slots(calendars, rules, after, end),
            preferred=preferred,
            wanted=wanted,
            zone=zone,
        )
    if chosen is None:
        return None
    slot, person_id = chosen
    person = next(p for p in people if p.pk == person_id)
    return PlannedStep(service=service, staff=person, start=slot.start, end=slot.end)


@dataclass(frozen=True)
class StepMove:
    """One appointment of a package moving with a step: from its time to the planned one."""

    appointment: Appointment
    to: PlannedStep


def _package_rows(appointment: Appointment) -> tuple[list[Appointment], list[int]] | None:
    """The package's current appointments, earliest first, and the steps' gaps."""
    if appointment.booking_group is None or appointment.package_id is None:
        return None
    rows = list(
        Appointment.objects.filter(
            booking_group=appointment.booking_group,
            contact_id=appointment.contact_id,
            status__in=BLOCKING_STATUSES,
        )
        .select_related("service", "staff")
        .order_by("start_at")
    )
    if appointment.pk not in [r.pk for r in rows]:
        return None
    gaps = list(
        PackageStep.objects.filter(package_id=appointment.package_id)
        .order_by("position")
        .values_list("min_gap_days", flat=True)
    )
    return rows, gaps


def package_move_plan(
    *,
    appointment: Appointment,
    start: dt.datetime,
    now: dt.datetime | None = None,
    online: bool = False,
) -> list[StepMove] | None:
    """Moving a package step to `start` with the later steps moving along: the step itself
    at `start` with its person, then each later step its gap after the previous one, with
    its own person where they are free (else someone offering its service), nearest its
    own wall-clock time. None when a later step finds no time (then nothing may move).

    Only the steps whose time must change are in the answer: a later step that still
    follows with its gap stays where it is, and so do the ones after it.
    """
    now = now or timezone.now()
    found = _package_rows(appointment)
    if found is None:
        return None
    rows, gaps = found
    index = [r.pk for r in rows].index(appointment.pk)
    service = appointment.service
    moved = PlannedStep(
        service=service,
        staff=appointment.staff,
        start=start,
        end=start + dt.timedelta(minutes=service.duration_minutes),
    )
    moves = [StepMove(appointment=appointment, to=moved)]
    plan = [moved]
    later = rows[index + 1 :]
    moving_ids = [r.pk for r in rows[index:]]
    for position, row in enumerate(later, start=index + 1):
        gap = gaps[position] if position < len(gaps) else 0
        zone = ZoneInfo(row.staff.time_zone or "UTC")
        if row.start_at >= max(earliest_after(plan[-1].end, gap, zone), plan[-1].end):
            break  # this step still follows with its gap: it and the rest stay
        placed = _place_step(
            plan,
            service=row.service,
            gap_days=gap,
            preferred=row.staff_id,
            wanted=row.start_at.astimezone(zone).time(),
            zone=zone,
            now=now,
            online=online,
            exclude_appointment_ids=moving_ids,
        )
        if placed is None:
            return None
        plan.append(placed)
        moves.append(StepMove(appointment=row, to=placed))
    return moves


def move_fingerprint(moves: Sequence[StepMove]) -> str:
    """What the person saw and confirms: each moving step's new start and person."""
    return plan_fingerprint([m.to for m in moves])


@dataclass(frozen=True)
class StepBounds:
    """Where one step of a package may move: after the previous step and its gap, before
    the next step less its gap."""

    earliest: dt.datetime | None
    latest_end: dt.datetime | None

    def allows(self, start: dt.datetime, end: dt.datetime) -> bool:
        return (self.earliest is None or start >= self.earliest) and (
            self.latest_end is None or end <= self.latest_end
        )


def package_step_bounds(*, appointment: Appointment) -> StepBounds | None:
    """The bounds of a package step (None for an appointment that is not one)."""
    if appointment.booking_group is None or appointment.package_id is None:
        return None
    rows = list(
        Appointment.objects.filter(
            booking_group=appointment.booking_group,
            contact_id=appointment.contact_id,
            status__in=BLOCKING_STATUSES,
        )
        .only("pk", "start_at", "end_at")
        .order_by("start_at")
    )
    ids = [r.pk for r in rows]
    if appointment.pk not in ids:
        return None
    index = ids.index(appointment.pk)
    gaps = list(
        PackageStep.objects.filter(package_id=appointment.package_id)
        .order_by("position")
        .values_list("min_gap_days", flat=True)
    )

    def gap(position: int) -> int:
        return gaps[position] if position < len(gaps) else 0

    zone = ZoneInfo(appointment.staff.time_zone or "UTC")
    earliest = earliest_after(rows[index - 1].end_at, gap(index), zone) if index > 0 else None
    latest_end = (
        latest_end_before(rows[index + 1].start_at, gap(index + 1), zone)
        if index + 1 < len(rows)
        else None
    )
    return StepBounds(earliest=earliest, latest_end=latest_end)


def package_preview(
    *,
    package: Service,
    start: dt.datetime,
    staff: User | None = None,
    now: dt.datetime | None = None,
) -> list[PlannedStep] | None:
    """The plan a booker sees before confirming a package at this start: with the chosen
    person, or whoever offers the first step, is free then and has the fewest upcoming
    bookings. None when the start is not free or a later step finds no time."""
    now = now or timezone.now()
    steps = package_steps(package)
    if not steps:
        return None
    offering = {m.pk for m in step_staff(steps[0].service)}
    members = [m for m in package.offering_staff() if m.pk in offering]
    if staff is not None:
        members = [m for m in members if m.pk == staff.pk]
    free = slots_list(
        service=package,
        start=start,
        end=start + dt.timedelta(seconds=1),
        now=now,
        staff=members,
        online=True,
    )
    ids = next((slot.staff_ids for slot in free if slot.start == start), ())
    if not ids:
        return None
    counts = dict(
        Appointment.objects.filter(
            staff_id__in=ids, status=Appointment.Status.BOOKED, start_at__gte=now
        )
        .values_list("staff_id")
        .annotate(n=Count("id"))
        .values_list("staff_id", "n")
    )
    first = min(ids, key=lambda i: (counts.get(i, 0), i))
    person = next(m for m in members if m.pk == first)
    return package_plan(
        package=package, first_start=start, first_staff=person, now=now, online=True
    )
