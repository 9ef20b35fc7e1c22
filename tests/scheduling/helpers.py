"""Builders for scheduling tests: a service with working hours, appointments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from portal.models import Contact, User
from scheduling.models import Appointment, AvailabilityRule, Service


def make_service(
    *, staff: list[User], slug: str = "intro-call", minutes: int = 15, **extra: Any
) -> Service:
    defaults: dict[str, Any] = {
        "name": "Intro call",
        "duration_minutes": minutes,
        "price": Decimal("0"),
        "location_kind": "phone",
        "min_notice_minutes": 60,
        "horizon_days": 60,
        "slot_step_minutes": 15,
    }
    defaults.update(extra)
    service = Service.objects.create(slug=slug, **defaults)
    service.staff.set(staff)
    return service


def working_week(
    staff: User, *, start: dt.time = dt.time(9), end: dt.time = dt.time(17), days: range = range(5)
) -> None:
    AvailabilityRule.objects.bulk_create(
        [AvailabilityRule(staff=staff, weekday=d, start=start, end=end) for d in days]
    )


def make_appointment(
    *, service: Service, staff: User, contact: Contact, start: dt.datetime, **extra: Any
) -> Appointment:
    end = start + dt.timedelta(minutes=service.duration_minutes)
    return Appointment.objects.create(
        service=service,
        staff=staff,
        contact=contact,
        start_at=start,
        end_at=end,
        blocked_start=start - dt.timedelta(minutes=service.buffer_before_minutes),
        blocked_end=end + dt.timedelta(minutes=service.buffer_after_minutes),
        time_zone="Europe/Warsaw",
        **extra,
    )


def world_booking(w: Any) -> None:
    """Matrix setup: a service offered by staff_on and an upcoming appointment of client A."""
    w.service = make_service(staff=[w.staff_on], name="Secret Service Quokka")
    working_week(w.staff_on)
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=3)
    w.appointment = make_appointment(
        service=w.service, staff=w.staff_on, contact=w.contact_a, start=start
    )


def world_matter_booking(w: Any) -> None:
    """Matrix setup: an upcoming appointment of matter A with the firm admin (so staff on
    matter A see it through the matter, not as their own)."""
    w.service = make_service(staff=[w.admin], name="Secret Service Quokka")
    working_week(w.admin)
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=3)
    w.appointment = make_appointment(
        service=w.service, staff=w.admin, contact=w.contact_a, start=start, matter=w.matter_a
    )
