"""Reads of the scheduling app: services, availability, appointments and calendar files.

Availability always costs the same number of queries (service, its staff, their rules,
their appointments, their busy times) whatever the number of rows behind them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from portal.models import Contact, User
from portal.selectors import firm_get
from scheduling import availability as engine
from scheduling.models import (
    BLOCKING_STATUSES,
    Appointment,
    AvailabilityRule,
    BusyTime,
    ExternalCalendar,
    LocationKind,
    Service,
)

INVITE_SALT = "scheduling.service-invite"
MAX_RANGE_DAYS = 62


# ---------------------------------------------------------------------------
# Services and who may book them
# ---------------------------------------------------------------------------
def _staff_queryset() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role=User.Role.STAFF).order_by("id")


def services_bookable(*, user: Any) -> list[Service]:
    """Services listed on /book/ for this person (invited-only ones are never listed)."""
    audiences = [Service.Audience.ANYONE]
    contact = contact_for_user(user)
    if getattr(user, "is_authenticated", False) and user.is_firm_staff or (
            contact is not None and contact.kind == Contact.Kind.CLIENT):
        audiences.append(Service.Audience.CLIENTS)
    return list(Service.objects.filter(is_active=True, audience__in=audiences))


def contact_for_user(user: Any) -> Contact | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_client:
        return None
    try:
        return user.contact
    except Contact.DoesNotExist:
        return None


def service_invite_token(*, service: Service) -> str:
    return signing.dumps({"s": str(service.pk)}, salt=INVITE_SALT)


def _invite_valid(service: Service, token: str) -> bool:
    try:
        data = signing.loads(token, salt=INVITE_SALT, max_age=60 * 60 * 24 * 60)
    except signing.BadSignature:
        return False
    return data.get("s") == str(service.pk)


def may_book(*, service: Service, user: Any, invite: str = "") -> bool:
    if getattr(user, "is_authenticated", False) and user.is_firm_staff:
        return True
    if service.audience == Service.Audience.ANYONE:
        return True
    if service.audience == Service.Audience.CLIENTS:
        contact = contact_for_user(user)
        return contact is not None and contact.kind == Contact.Kind.CLIENT
    return bool(invite) and _invite_valid(service, invite)


def service_get_for_booking(*, slug: str, user: Any, invite: str = "",
                            with_steps: bool = False) -> Service:
    """The service with its active staff prefetched; Http404 when this person may not book."""
    qs = Service.objects.filter(is_active=True).prefetch_related(
        Prefetch("staff", queryset=_staff_queryset()))
    if with_steps:
        qs = qs.prefetch_related("steps__service")
    service = qs.filter(slug=str(slug)[:80]).first()
    if service is None or not may_book(service=service, user=user, invite=invite):
        raise Http404
    return service


def services_for_staff(*, user: Any) -> list[Service]:
    """Every service, bookable first, with who offers it and its package steps (staff only)."""
    if not getattr(user, "is_firm_staff", False):
        raise Http404
    upcoming = Count("appointments", filter=Q(appointments__status=Appointment.Status.BOOKED,
                                              appointments__start_at__gte=timezone.now()))
    return list(Service.objects.annotate(upcoming=upcoming)
                .prefetch_related(Prefetch("staff", queryset=User.objects.order_by("id")),
                                  "steps__service")
                .order_by("-is_active", "position", "name"))


def service_get_for_staff(*, user: Any, service_id: Any) -> Service:
    """One service for the staff editing pages; Http404 for anyone else or an unknown id."""
    if not getattr(user, "is_firm_staff", False):
        raise Http404
    service = (Service.objects.prefetch_related("staff", "steps__service")
               .filter(pk=service_id).first())
    if service is None:
        raise Http404
    return service


# ---------------------------------------------------------------------------
# Availability
# ---------------------------------------------------------------------------
def rules_for(service: Service, *, now: dt.datetime) -> engine.Rules:
    return engine.Rules(
        duration=dt.timedelta(minutes=service.duration_minutes),
        step=dt.timedelta(minutes=service.slot_step_minutes),
        earliest=now + dt.timedelta(minutes=service.min_notice_minutes),
        latest=now + dt.timedelta(days=service.horizon_days),
        buffer_before=dt.timedelta(minutes=service.buffer_before_minutes),
        buffer_after=dt.timedelta(minutes=service.buffer_after_minutes),
    )


def staff_calendars(*, staff: Sequence[User], start: dt.datetime, end: dt.datetime,
                    include_appointments: bool = True,
                    exclude_appointment_ids: Iterable[Any] = ()) -> list[engine.StaffCalendar]:
    """Working hours and busy times of these staff around [start, end): three queries."""
    if not staff:
        return []
    ids = [s.pk for s in staff]
    # Busy times reaching into the window from a day either side still matter (buffers).
    lo, hi = start - dt.timedelta(days=1), end + dt.timedelta(days=1)
    weekly: dict[int, list[engine.WeeklyHours]] = {i: [] for i in ids}
    dates: dict[int, list[engine.DateHours]] = {i: [] for i in ids}
    busy: dict[int, list[engine.Interval]] = {i: [] for i in ids}
    rules = AvailabilityRule.objects.filter(staff_id__in=ids).filter(
        Q(weekday__isnull=False) | Q(date__range=(lo.date(), hi.date()))
    ).values_list("staff_id", "weekday", "date", "start", "end", "is_off")
    for staff_id, weekday, date, begin, finish, is_off in rules:
        if date is not None:
            dates[staff_id].append(engine.DateHours(date=date, start=None if is_off else begin,
                                                    end=None if is_off else finish))
        elif not is_off and weekday is not None and begin is not None and finish is not None:
            weekly[staff_id].append(engine.WeeklyHours(weekday=weekday, start=begin,
                                                        end=finish))
    if include_appointments:
        appointments = Appointment.objects.filter(
            staff_id__in=ids, status__in=BLOCKING_STATUSES, blocked_start__lt=hi,
            blocked_end__gt=lo,
        ).exclude(pk__in=list(exclude_appointment_ids)).values_list(
            "staff_id", "blocked_start", "blocked_end")
        for staff_id, s, e in appointments:
            busy[staff_id].append(engine.Interval(s, e))
    for staff_id, s, e in BusyTime.objects.filter(
            staff_id__in=ids, start_at__lt=hi, end_at__gt=lo).values_list(
            "staff_id", "start_at", "end_at"):
        busy[staff_id].append(engine.Interval(s, e))
    return [
        engine.StaffCalendar(staff_id=s.pk, time_zone=s.time_zone or firm_time_zone(),
                             weekly=weekly[s.pk], dates=dates[s.pk], busy=busy[s.pk])
        for s in staff
    ]


def firm_time_zone() -> str:
    return firm_get().time_zone or "UTC"


def day_window(*, start: dt.date, end: dt.date, zone: ZoneInfo) -> tuple[dt.datetime,
                                                                         dt.datetime]:
    """Midnight of the first day to midnight after the last day, in the viewer's zone."""
    return (dt.datetime.combine(start, dt.time(0), tzinfo=zone),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=zone))


def slots_list(*, service: Service, start: dt.datetime, end: dt.datetime,
               now: dt.datetime | None = None, staff: Sequence[User] | None = None,
               include_appointments: bool = True,
               exclude_appointment_ids: Iterable[Any] = ()) -> list[engine.Slot]:
    now = now or timezone.now()
    members = list(staff) if staff is not None else list(service.staff.all())
    calendars = staff_calendars(staff=members, start=start, end=end,
                                include_appointments=include_appointments,
                                exclude_appointment_ids=exclude_appointment_ids)
    return engine.free_slots(calendars, rules_for(service, now=now), start, end)


def staff_names(service: Service) -> dict[int, str]:
    return {s.pk: s.get_full_name() or str(_("Lawyer")) for s in service.staff.all()}


# ---------------------------------------------------------------------------
# Appointments
# ---------------------------------------------------------------------------
def _appointment_qs() -> QuerySet[Appointment]:
    return Appointment.objects.select_related("service", "staff", "contact", "matter",
                                              "replaces")


def appointment_by_token(*, token: str, for_change: bool = False,
                         now: dt.datetime | None = None) -> Appointment:
    """The one booking a manage link opens; expired, replaced or unknown links get 404."""
    now = now or timezone.now()
    if not token or len(token) > 64:
        raise Http404
    appointment = _appointment_qs().filter(manage_token=token).first()
    if appointment is None or appointment.end_at <= now:
        raise Http404
    if for_change and appointment.status != Appointment.Status.BOOKED:
        raise Http404
    return appointment


def appointments_for_client(*, user: Any) -> tuple[list[Appointment], list[Appointment]]:
    """Upcoming and past appointments of a signed-in client (their own contact only)."""
    contact = contact_for_user(user)
    if contact is None:
        return [], []
    now = timezone.now()
    rows = list(_appointment_qs().filter(contact=contact).exclude(
        status=Appointment.Status.RESCHEDULED).order_by("start_at")[:200])
    upcoming = [a for a in rows if a.end_at > now and a.status == Appointment.Status.BOOKED]
    past = [a for a in rows if a not in upcoming][-20:][::-1]
    return upcoming, past


def appointment_get_for_staff(*, user: Any, appointment_id: Any) -> Appointment:
    if not getattr(user, "is_firm_staff", False):
        raise Http404
    try:
        return _appointment_qs().get(pk=appointment_id)
    except (Appointment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def appointment_history(*, appointment: Appointment) -> list[Appointment]:
    """The chain of appointments this one replaced, newest first (bounded)."""
    chain: list[Appointment] = []
    current = appointment.replaces
    while current is not None and len(chain) < 50:
        chain.append(current)
        current = current.replaces
    return chain


def appointments_for_staff_range(*, staff: User, start: dt.datetime,
                                 end: dt.datetime) -> list[Appointment]:
    return list(_appointment_qs().filter(
        staff=staff, start_at__lt=end, end_at__gt=start,
    ).exclude(status=Appointment.Status.RESCHEDULED).order_by("start_at"))


def external_calendars_for(*, staff: User) -> list[ExternalCalendar]:
    return list(ExternalCalendar.objects.filter(staff=staff))


# ---------------------------------------------------------------------------
# Links and calendar files (used by notifications as well)
# ---------------------------------------------------------------------------
def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def appointment_manage_links(*, appointment: Appointment) -> dict[str, str]:
    token = appointment.manage_token
    return {
        "detail": _absolute(reverse("scheduling:booking-detail", kwargs={"token": token})),
        "reschedule": _absolute(reverse("scheduling:booking-reschedule",
                                        kwargs={"token": token})),
        "cancel": _absolute(reverse("scheduling:booking-cancel", kwargs={"token": token})),
        "ics": _absolute(reverse("scheduling:booking-ics", kwargs={"token": token})),
    }


def appointment_rebook_link(*, appointment: Appointment) -> str:
    path = reverse("scheduling:book-service", kwargs={"slug": appointment.service.slug})
    if appointment.service.audience == Service.Audience.INVITED:
        path += "?invite=" + service_invite_token(service=appointment.service)
    return _absolute(path)


def _location(appointment: Appointment) -> tuple[str, str]:
    """(LOCATION, URL) for the calendar entry."""
    service = appointment.service
    detail = service.location_detail
    if service.location_kind == LocationKind.VIDEO:
        return str(_("Video call")), detail if detail.startswith("https://") else ""
    if service.location_kind == LocationKind.PHONE:
        return (f"{_('Phone call')}: {detail}" if detail else str(_("Phone call"))), ""
    return detail or firm_get().name, ""


def _vevent(appointment: Appointment, *, now: dt.datetime, summary: str) -> Event:
    """The fields every calendar copy of an appointment shares (stable UID, SEQUENCE, UTC)."""
    event = Event()
    event.add("uid", appointment.uid)
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", now)
    event.add("dtstart", appointment.start_at.astimezone(dt.UTC))
    event.add("dtend", appointment.end_at.astimezone(dt.UTC))
    event.add("summary", summary)
    return event


def appointment_ics(*, appointments: list[Appointment], method: str) -> bytes:
    """An iCalendar file: METHOD REQUEST (book, change) or CANCEL, one VEVENT each."""
    if method not in ("REQUEST", "CANCEL", "PUBLISH"):
        raise ValueError(method)
    firm = firm_get()
    cal = Calendar()
    cal.add("prodid", "-//Atrium//Scheduling//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    now = timezone.now()
    organizer_email = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">").strip()
    for appointment in appointments:
        event = _vevent(appointment, now=now,
                        summary=f"{appointment.service.name} · {firm.name}")
        organizer = vCalAddress(f"mailto:{organizer_email}")
        organizer.params["cn"] = vText(firm.name)
        event.add("organizer", organizer)
        location, url = _location(appointment)
        if location:
            event.add("location", location)
        if url:
            event.add("url", url)
        if method == "CANCEL" or appointment.status in (Appointment.Status.CANCELLED,
                                                        Appointment.Status.RESCHEDULED):
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED")
            links = appointment_manage_links(appointment=appointment)
            event.add("description", "\n".join([
                f"{_('Reschedule')}: {links['reschedule']}",
                f"{_('Cancel')}: {links['cancel']}",
            ]))
        cal.add_component(event)
    return cal.to_ical()


def staff_feed_ics(*, token: str) -> bytes:
    """A staff member's private feed: times, the service and the client's name only."""
    if not token or len(token) > 64:
        raise Http404
    staff = User.objects.filter(calendar_token=token, is_active=True,
                                role=User.Role.STAFF).first()
    if staff is None:
        raise Http404
    now = timezone.now()
    rows = Appointment.objects.select_related("service", "contact").filter(
        staff=staff, status__in=BLOCKING_STATUSES,
        start_at__gte=now - dt.timedelta(days=60), start_at__lte=now + dt.timedelta(days=400),
    ).order_by("start_at")[:2000]
    cal = Calendar()
    cal.add("prodid", "-//Atrium//Staff feed//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{firm_get().name} · {staff.get_full_name()}")
    for appointment in rows:
        cal.add_component(_vevent(
            appointment, now=now,
            summary=f"{appointment.service.name}: {appointment.contact.full_name}"))
    return cal.to_ical()


def staff_list() -> list[User]:
    return list(_staff_queryset())
