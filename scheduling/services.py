"""Every write of the scheduling app.

No double booking: on PostgreSQL the exclusion constraint ``appointment_no_overlap`` refuses
overlapping blocking appointments of one staff member; each insert runs in a savepoint so a
refused one moves on to the next candidate or reports "just taken". On SQLite the outer
transaction begins IMMEDIATE (settings), so writers are serialised and the overlap query
followed by the insert holds the same rule.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.http import RequestMeta
from portal import services as portal_services
from portal.models import Contact, Matter, User
from scheduling import availability as engine
from scheduling import selectors
from scheduling.audit_actions import SchedulingAction
from scheduling.models import (
    BLOCKING_STATUSES,
    Appointment,
    AvailabilityRule,
    BusyTime,
    ExternalCalendar,
    PackageStep,
    Service,
)

# The action each staff mark records.
MARK_ACTIONS = {
    Appointment.Status.ATTENDED: SchedulingAction.APPOINTMENT_ATTENDED,
    Appointment.Status.NO_SHOW: SchedulingAction.APPOINTMENT_NO_SHOW,
}


class SlotInvalid(ServiceError):
    """The time is not one the service offers (400)."""


class SlotTaken(ServiceError):
    """Someone booked the time a moment ago (409)."""


@dataclass(frozen=True)
class BookerData:
    first_name: str
    last_name: str
    email: str
    phone: str = ""
    language: str = "en"


# ---------------------------------------------------------------------------
# Notifications (issue 5 owns them; called inside our transactions as agreed)
# ---------------------------------------------------------------------------
def _notify(*, changed: Sequence[Appointment], notify: Sequence[Appointment],
            event: str) -> None:
    from notifications import services as notifications_services

    for appointment in changed:
        notifications_services.appointment_reminders_sync(appointment=appointment)
    if notify:
        notifications_services.appointment_notify(appointments=list(notify), event=event)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
def _blocked(service: Service, start: dt.datetime) -> tuple[dt.datetime, dt.datetime,
                                                            dt.datetime, dt.datetime]:
    end = start + dt.timedelta(minutes=service.duration_minutes)
    return (start, end, start - dt.timedelta(minutes=service.buffer_before_minutes),
            end + dt.timedelta(minutes=service.buffer_after_minutes))


def _utc(value: dt.datetime) -> dt.datetime:
    try:
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError) as exc:
        raise SlotInvalid(_("This time is not available. Please pick one of the times "
                            "shown.")) from exc


def _overlaps(staff_id: int, blocked_start: dt.datetime, blocked_end: dt.datetime) -> bool:
    return Appointment.objects.filter(
        staff_id=staff_id, status__in=BLOCKING_STATUSES, blocked_start__lt=blocked_end,
        blocked_end__gt=blocked_start,
    ).exists()


def _insert(*, staff_id: int, blocked_start: dt.datetime, blocked_end: dt.datetime,
            **fields: Any) -> Appointment | None:
    """Insert a blocking appointment, or None when the time overlaps another one."""
    try:
        with transaction.atomic():
            if _overlaps(staff_id, blocked_start, blocked_end):
                return None
            return Appointment.objects.create(staff_id=staff_id, blocked_start=blocked_start,
                                              blocked_end=blocked_end, **fields)
    except IntegrityError:
        return None


def _fair_order(staff_ids: Sequence[int], *, now: dt.datetime) -> list[int]:
    """Whoever has the fewest upcoming bookings first, so "any lawyer" spreads them."""
    counts = dict(Appointment.objects.filter(
        staff_id__in=staff_ids, status=Appointment.Status.BOOKED, start_at__gte=now,
    ).values_list("staff_id").annotate(n=Count("id")).values_list("staff_id", "n"))
    return sorted(staff_ids, key=lambda s: (counts.get(s, 0), secrets.randbelow(1000)))


def _booker_contact(booker: BookerData | None, time_zone: str) -> Contact:
    """The contact a public booker becomes (matched by email, else a new prospect)."""
    if booker is None:
        raise ServiceError(_("Who is the appointment for?"))
    return portal_services.contact_for_booking(
        first_name=booker.first_name, last_name=booker.last_name, email=booker.email,
        phone=booker.phone, language=booker.language, time_zone=time_zone)


def _check_offered(*, service: Service, start: dt.datetime, staff: User | None,
                   now: dt.datetime, exclude: Sequence[Any] = ()) -> list[int]:
    """Staff ids for whom the time is a free slot, ignoring other appointments.

    A time outside working hours, notice or horizon is invalid (400); a time that is free
    apart from appointments may only be taken by one in the meantime (409).
    """
    if not now <= start <= now + dt.timedelta(days=service.horizon_days):
        raise SlotInvalid(_("This time is not available. Please pick one of the times shown."))
    members = list(service.staff.all())
    if staff is not None:
        members = [m for m in members if m.pk == staff.pk]
        if not members:
            raise SlotInvalid(_("This lawyer does not offer this service."))
    slots = selectors.slots_list(service=service, start=start,
                                 end=start + dt.timedelta(seconds=1), now=now, staff=members,
                                 include_appointments=False, exclude_appointment_ids=exclude)
    for slot in slots:
        if slot.start == start:
            return list(slot.staff_ids)
    raise SlotInvalid(_("This time is not available. Please pick one of the times shown."))


def _next_step_start(*, service: Service, staff_id: int, after: dt.datetime, now: dt.datetime,
                     taken: list[engine.Interval]) -> dt.datetime:
    """The first free slot of this staff member at or after ``after`` (packages)."""
    staff = [m for m in service.staff.all() if m.pk == staff_id] or list(
        User.objects.filter(pk=staff_id))
    end = after + dt.timedelta(days=45)
    calendars = selectors.staff_calendars(staff=staff, start=after, end=end)
    calendars = [engine.StaffCalendar(c.staff_id, c.time_zone, c.weekly, c.dates,
                                      tuple(c.busy) + tuple(taken)) for c in calendars]
    slots = engine.free_slots(calendars, selectors.rules_for(service, now=now), after, end)
    if not slots:
        raise SlotInvalid(_("We could not find times for every part of this package. "
                            "Please pick a later start or call us."))
    return slots[0].start


# ---------------------------------------------------------------------------
# Booking
# ---------------------------------------------------------------------------
def appointment_book(*, service: Service, start_at: dt.datetime, staff: User | None = None,
                     booker: BookerData | None = None, contact: Contact | None = None,
                     matter: Matter | None = None, time_zone: str = "UTC",
                     actor: User | None = None, meta: RequestMeta | None = None,
                     now: dt.datetime | None = None) -> list[Appointment]:
    """Book a service (all the steps of a package) and send one confirmation."""
    now = now or timezone.now()
    start_at = _utc(start_at)
    if contact is None and booker is None:
        raise ServiceError(_("Who is the appointment for?"))
    candidates = _check_offered(service=service, start=start_at, staff=staff, now=now)
    steps = [(step.service, step.min_gap_days) for step in service.steps.all()]
    with transaction.atomic():
        person = contact if contact is not None else _booker_contact(booker, time_zone)
        group = uuid.uuid4() if steps else None
        booked: list[Appointment] = []
        for staff_id in _fair_order(candidates, now=now):
            first_service = steps[0][0] if steps else service
            start, end, b_start, b_end = _blocked(first_service, start_at)
            appointment = _insert(
                staff_id=staff_id, blocked_start=b_start, blocked_end=b_end,
                service=first_service, contact=person, matter=matter, start_at=start,
                end_at=end, time_zone=time_zone, booking_group=group, booked_by=actor,
            )
            if appointment is not None:
                booked.append(appointment)
                break
        if not booked:
            raise SlotTaken(_("This time was just taken. Please choose another time."))
        staff_id = booked[0].staff_id
        taken = [engine.Interval(booked[0].blocked_start, booked[0].blocked_end)]
        for step_service, gap_days in steps[1:]:
            after = booked[-1].end_at + dt.timedelta(days=gap_days)
            start = _next_step_start(service=step_service, staff_id=staff_id, after=after,
                                     now=now, taken=taken)
            s, e, bs, be = _blocked(step_service, start)
            appointment = _insert(
                staff_id=staff_id, blocked_start=bs, blocked_end=be, service=step_service,
                contact=person, matter=matter, start_at=s, end_at=e, time_zone=time_zone,
                booking_group=group, booked_by=actor,
            )
            if appointment is None:
                raise SlotTaken(_("This time was just taken. Please choose another time."))
            booked.append(appointment)
            taken.append(engine.Interval(bs, be))
        for appointment in booked:
            audit_record(action=SchedulingAction.APPOINTMENT_BOOKED, actor=actor, meta=meta,
                         matter_id=matter.pk if matter else None, obj=appointment,
                         data={"service": service.slug, "start": start_at.isoformat()})
        _notify(changed=booked, notify=booked, event="booked")
    return booked


def appointment_reschedule(*, appointment: Appointment, start_at: dt.datetime,
                           staff: User | None = None, actor: User | None = None,
                           meta: RequestMeta | None = None,
                           now: dt.datetime | None = None) -> Appointment:
    """Move a booking: the old row becomes "rescheduled", the new one replaces it."""
    now = now or timezone.now()
    start_at = _utc(start_at)
    service = appointment.service
    staff = staff or appointment.staff
    candidates = _check_offered(service=service, start=start_at, staff=staff, now=now,
                                exclude=[appointment.pk])
    with transaction.atomic():
        old = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if old.status != Appointment.Status.BOOKED:
            raise ServiceError(_("This appointment can no longer be changed."))
        old.status = Appointment.Status.RESCHEDULED
        old.save(update_fields=["status"])
        s, e, bs, be = _blocked(service, start_at)
        new = None
        for staff_id in candidates:
            new = _insert(
                staff_id=staff_id, blocked_start=bs, blocked_end=be, service=service,
                contact_id=old.contact_id, matter_id=old.matter_id, start_at=s, end_at=e,
                time_zone=old.time_zone, booking_group=old.booking_group, series=old.series,
                replaces=old, uid=old.uid, sequence=old.sequence + 1, booked_by=actor,
            )
            if new is not None:
                break
        if new is None:
            raise SlotTaken(_("This time was just taken. Please choose another time."))
        audit_record(action=SchedulingAction.APPOINTMENT_RESCHEDULED, actor=actor, meta=meta,
                     matter_id=old.matter_id, obj=new,
                     data={"from": old.start_at.isoformat(), "to": s.isoformat(),
                           "replaces": str(old.pk)})
        _notify(changed=[old, new], notify=[new], event="rescheduled")
    return new


def cancellation_fee(*, appointment: Appointment, now: dt.datetime | None = None) -> Decimal:
    """The fee a client pays when cancelling now (0 outside the deadline)."""
    now = now or timezone.now()
    deadline = appointment.start_at - dt.timedelta(
        hours=appointment.service.cancel_deadline_hours)
    return appointment.service.cancel_fee if now >= deadline else Decimal("0")


def appointment_cancel(*, appointment: Appointment, actor: User | None = None,
                       meta: RequestMeta | None = None, by_client: bool = True,
                       now: dt.datetime | None = None) -> Appointment:
    now = now or timezone.now()
    with transaction.atomic():
        row = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if not row.can_move_to(Appointment.Status.CANCELLED):
            raise ServiceError(_("This appointment can no longer be changed."))
        row.status = Appointment.Status.CANCELLED
        row.cancelled_at = now
        row.cancellation_fee = cancellation_fee(appointment=appointment, now=now) \
            if by_client else Decimal("0")
        row.sequence += 1
        row.save(update_fields=["status", "cancelled_at", "cancellation_fee", "sequence"])
        audit_record(action=SchedulingAction.APPOINTMENT_CANCELLED, actor=actor, meta=meta,
                     matter_id=row.matter_id, obj=row,
                     data={"fee": str(row.cancellation_fee), "by_client": by_client})
        _notify(changed=[row], notify=[row], event="cancelled")
    return row


def appointment_mark(*, appointment: Appointment, status: str, actor: User,
                     meta: RequestMeta | None = None) -> Appointment:
    """Staff mark attended or no-show; a no-show gets a rebooking link."""
    if status not in (Appointment.Status.ATTENDED, Appointment.Status.NO_SHOW):
        raise ServiceError(_("Unknown status."))
    with transaction.atomic():
        row = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if not row.can_move_to(status):
            raise ServiceError(_("This appointment can no longer be changed."))
        if row.start_at > timezone.now():
            raise ServiceError(_("The appointment has not started yet."))
        row.status = status
        row.save(update_fields=["status"])
        audit_record(action=MARK_ACTIONS[status], actor=actor, meta=meta,
                     matter_id=row.matter_id, obj=row)
        _notify(changed=[row], notify=[row] if status == Appointment.Status.NO_SHOW else [],
                event="no_show")
    return row


def recurring_book(*, service: Service, staff: User, contact: Contact, matter: Matter | None,
                   first_start: dt.datetime, count: int, actor: User,
                   meta: RequestMeta | None = None) -> list[Appointment]:
    """Monthly check-ins on the same day and wall-clock time; each one stands alone."""
    if not 1 <= count <= 24:
        raise ServiceError(_("Choose between 1 and 24 occurrences."))
    if not timezone.now() <= _utc(first_start) <= timezone.now() + dt.timedelta(days=366 * 3):
        raise SlotInvalid(_("Choose a start within the next three years."))
    zone = ZoneInfo(staff.time_zone or selectors.firm_time_zone())
    local = first_start.astimezone(zone)
    series = uuid.uuid4()
    with transaction.atomic():
        booked: list[Appointment] = []
        for n in range(count):
            month = local.month - 1 + n
            year, month = local.year + month // 12, month % 12 + 1
            day = min(local.day, 28)
            start = dt.datetime(year, month, day, local.hour, local.minute,
                                tzinfo=zone).astimezone(dt.UTC)
            s, e, bs, be = _blocked(service, start)
            appointment = _insert(
                staff_id=staff.pk, blocked_start=bs, blocked_end=be, service=service,
                contact=contact, matter=matter, start_at=s, end_at=e,
                time_zone=contact.time_zone, series=series, booked_by=actor)
            if appointment is None:
                raise SlotTaken(_("%(when)s is already taken; nothing was booked.") % {
                    "when": start.astimezone(zone).strftime("%Y-%m-%d %H:%M")})
            booked.append(appointment)
        audit_record(action=SchedulingAction.APPOINTMENT_BOOKED, actor=actor, meta=meta,
                     matter_id=matter.pk if matter else None,
                     obj=booked[0], data={"series": str(series), "count": count})
        _notify(changed=booked, notify=booked, event="booked")
    return booked


# ---------------------------------------------------------------------------
# Services (staff pages; firm admins only)
# ---------------------------------------------------------------------------
def _steps_check(*, service: Service, steps: Sequence[tuple[Service, int]]) -> None:
    for step_service, gap in steps:
        if step_service.pk == service.pk:
            raise ServiceError(_("A package cannot contain itself."))
        if step_service.steps.exists():
            raise ServiceError(_("A package step cannot itself be a package."))
        if not step_service.is_active:
            raise ServiceError(_("Archived services cannot be package steps."))
        if gap < 0:
            raise ServiceError(_("The gap between steps cannot be negative."))
    if steps and PackageStep.objects.filter(service=service).exists():
        raise ServiceError(_("This service is a step of another package, so it cannot "
                             "have steps of its own."))


def _service_save(*, service: Service, staff: Sequence[User],
                  steps: Sequence[tuple[Service, int]], creating: bool) -> None:
    if not staff:
        raise ServiceError(_("Choose at least one lawyer who offers this service."))
    if any(not member.is_firm_staff for member in staff):
        raise ServiceError(_("Only active firm staff can offer a service."))
    service.full_clean(exclude=["staff"])
    try:
        with transaction.atomic():
            service.save(force_insert=creating)
    except IntegrityError as exc:
        raise ServiceError(_("Another service already uses this link name.")) from exc
    _steps_check(service=service, steps=steps)
    service.staff.set(staff)
    PackageStep.objects.filter(package=service).delete()
    PackageStep.objects.bulk_create([
        PackageStep(package=service, service=step_service, position=i, min_gap_days=gap)
        for i, (step_service, gap) in enumerate(steps)])


def service_create(*, fields: dict[str, Any], staff: Sequence[User],
                   steps: Sequence[tuple[Service, int]] = (), actor: User,
                   meta: RequestMeta | None = None) -> Service:
    """A new bookable service with who offers it and, for a package, its steps."""
    service = Service(**fields)
    with transaction.atomic():
        _service_save(service=service, staff=staff, steps=steps, creating=True)
        audit_record(action=SchedulingAction.SERVICE_CREATED, actor=actor, meta=meta, obj=service,
                     data={"slug": service.slug, "staff": sorted(m.pk for m in staff),
                           "steps": len(steps)})
    return service


def service_update(*, service: Service, fields: dict[str, Any], staff: Sequence[User],
                   steps: Sequence[tuple[Service, int]] = (), actor: User,
                   meta: RequestMeta | None = None) -> Service:
    """Change a service; booked appointments keep their times (new rules apply to new ones)."""
    with transaction.atomic():
        # Read again: a ModelForm has already copied the new values onto the caller's object.
        service = Service.objects.select_for_update().get(pk=service.pk)
        before = {name: getattr(service, name) for name in fields}
        old_staff = sorted(service.staff.values_list("pk", flat=True))
        old_steps = list(service.steps.values_list("service_id", "min_gap_days"))
        for name, value in fields.items():
            setattr(service, name, value)
        _service_save(service=service, staff=staff, steps=steps, creating=False)
        changed = sorted(name for name, value in before.items() if value != fields[name])
        new_staff = sorted(m.pk for m in staff)
        if new_staff != old_staff:
            changed.append("staff")
        if [(s.pk, gap) for s, gap in steps] != old_steps:
            changed.append("steps")
        audit_record(action=SchedulingAction.SERVICE_UPDATED, actor=actor, meta=meta, obj=service,
                     data={"slug": service.slug, "changed": changed})
    return service


def service_archive(*, service: Service, actor: User,
                    meta: RequestMeta | None = None) -> Service:
    """Stop offering a service. Never deleted: its appointments and history keep it."""
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        if not service.is_active:
            return service
        packages = list(Service.objects.filter(is_active=True, steps__service=service)
                        .values_list("name", flat=True).distinct())
        if packages:
            raise ServiceError(_("This service is a step of %(packages)s. Archive the package "
                                 "or remove the step first.")
                               % {"packages": ", ".join(packages)})
        service.is_active = False
        service.save(update_fields=["is_active"])
        upcoming = service.appointments.filter(status=Appointment.Status.BOOKED,
                                               start_at__gte=timezone.now()).count()
        audit_record(action=SchedulingAction.SERVICE_ARCHIVED, actor=actor, meta=meta, obj=service,
                     data={"slug": service.slug, "upcoming_kept": upcoming})
    return service


def service_restore(*, service: Service, actor: User,
                    meta: RequestMeta | None = None) -> Service:
    """Offer an archived service again."""
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        if service.is_active:
            return service
        if any(not step.service.is_active for step in service.steps.select_related("service")):
            raise ServiceError(_("A step of this package is archived; restore it first."))
        service.is_active = True
        service.save(update_fields=["is_active"])
        audit_record(action=SchedulingAction.SERVICE_RESTORED, actor=actor, meta=meta, obj=service,
                     data={"slug": service.slug})
    return service


# ---------------------------------------------------------------------------
# Staff calendar feed and external busy calendars
# ---------------------------------------------------------------------------
def availability_rule_add(*, rule: AvailabilityRule,
                          meta: RequestMeta | None = None) -> AvailabilityRule:
    with transaction.atomic():
        rule.full_clean()
        rule.save()
        audit_record(action=SchedulingAction.AVAILABILITY_CHANGED, actor=rule.staff, meta=meta,
                     obj=rule, data={"weekday": rule.weekday, "date": str(rule.date or ""),
                                     "off": rule.is_off})
    return rule


def availability_rule_remove(*, rule: AvailabilityRule,
                             meta: RequestMeta | None = None) -> None:
    with transaction.atomic():
        audit_record(action=SchedulingAction.AVAILABILITY_CHANGED, actor=rule.staff, meta=meta,
                     obj=rule, data={"removed": True})
        rule.delete()


def external_calendar_add(*, staff: User, name: str, url: str,
                          meta: RequestMeta | None = None) -> ExternalCalendar:
    url = url.strip()
    if url.startswith("webcal://"):
        url = "https://" + url[len("webcal://"):]
    if not url.startswith(("https://", "http://")) or len(url) > 1000:
        raise ServiceError(_("Paste the secret address in iCal format (it starts with "
                             "https:// or webcal://)."))
    with transaction.atomic():
        calendar = ExternalCalendar(staff=staff, name=name or _("My calendar"), url=url)
        calendar.full_clean()
        calendar.save()
        audit_record(action=SchedulingAction.CALENDAR_ADDED, actor=staff, meta=meta, obj=calendar)
    return calendar


def external_calendar_remove(*, calendar: ExternalCalendar, actor: User,
                             meta: RequestMeta | None = None) -> None:
    with transaction.atomic():
        audit_record(action=SchedulingAction.CALENDAR_REMOVED, actor=actor, meta=meta, obj=calendar)
        calendar.delete()


IMPORT_DAYS_BACK = 1
IMPORT_DAYS_AHEAD = 120
MAX_FEED_BYTES = 5 * 1024 * 1024


def _check_public_address(url: str) -> None:
    """Refuse feeds on loopback, private or link-local addresses (no SSRF into the server's
    own network), unless ATRIUM_CALENDAR_ALLOW_PRIVATE is set (tests, closed networks)."""
    import ipaddress
    import socket
    from urllib.parse import urlsplit

    from django.conf import settings

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(_("The address must start with https://."))
    if getattr(settings, "ATRIUM_CALENDAR_ALLOW_PRIVATE", False):
        return
    for info in socket.getaddrinfo(parts.hostname, parts.port or 443):
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise ValueError(_("This calendar address is not on the public internet."))


def _fetch_feed(url: str) -> bytes:
    import requests

    for _hop in range(4):
        _check_public_address(url)
        with requests.get(url, timeout=(5, 20), stream=True,
                          allow_redirects=False) as response:
            if response.is_redirect and response.headers.get("location"):
                url = requests.compat.urljoin(url, response.headers["location"])
                continue
            response.raise_for_status()
            body = b""
            for chunk in response.iter_content(65536):
                body += chunk
                if len(body) > MAX_FEED_BYTES:
                    raise ValueError(_("The calendar is too large."))
            return body
    raise ValueError(_("The calendar address redirects too often."))


def busy_intervals_from_ics(*, data: bytes, zone: ZoneInfo, start: dt.datetime,
                            end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """Busy times of an iCalendar file between two instants (recurrences expanded)."""
    import icalendar
    import recurring_ical_events

    calendar = icalendar.Calendar.from_ical(data)
    result: list[tuple[dt.datetime, dt.datetime]] = []
    for event in recurring_ical_events.of(calendar).between(start, end):
        if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
            continue
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        s = event["DTSTART"].dt
        e = event["DTEND"].dt if "DTEND" in event else None
        if not isinstance(s, dt.datetime):
            # All-day: the whole local day(s) in the staff member's zone.
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
            result.append((s.astimezone(dt.UTC), e.astimezone(dt.UTC)))
    return result


def external_calendar_import(*, calendar_id: Any, now: dt.datetime | None = None) -> bool:
    """Replace a feed's busy times with a fresh import; on failure keep the last good one."""
    now = now or timezone.now()
    calendar = ExternalCalendar.objects.select_related("staff").filter(pk=calendar_id).first()
    if calendar is None:
        return False
    zone = ZoneInfo(calendar.staff.time_zone or selectors.firm_time_zone())
    try:
        data = _fetch_feed(calendar.url)
        intervals = busy_intervals_from_ics(
            data=data, zone=zone, start=now - dt.timedelta(days=IMPORT_DAYS_BACK),
            end=now + dt.timedelta(days=IMPORT_DAYS_AHEAD))
    except Exception as exc:  # noqa: BLE001 - any failure is shown to the staff member
        message = str(exc)[:300] or exc.__class__.__name__
        # The URL is a secret; never echo it back in the stored error.
        message = message.replace(calendar.url, "…")
        ExternalCalendar.objects.filter(pk=calendar.pk).update(last_attempt_at=now,
                                                               last_error=message)
        return False
    with transaction.atomic():
        BusyTime.objects.filter(calendar=calendar).delete()
        BusyTime.objects.bulk_create([
            BusyTime(calendar=calendar, staff_id=calendar.staff_id, start_at=s, end_at=e)
            for s, e in intervals[:5000]
        ])
        ExternalCalendar.objects.filter(pk=calendar.pk).update(
            last_attempt_at=now, last_success_at=now, last_error="")
    return True


def external_calendar_ids() -> list[Any]:
    return list(ExternalCalendar.objects.filter(
        Q(staff__is_active=True)).values_list("pk", flat=True))
