"""Links and calendar files of appointments (notices use them too) and staff feeds."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.links import absolute_url
from portal import selectors as portal_selectors
from scheduling import ics
from scheduling.models import BLOCKING_STATUSES, Appointment, LocationKind, Service
from scheduling.selectors.invitations import rebook_token
from scheduling.selectors.terms import appointment_place, appointment_terms


def appointment_manage_links(*, appointment: Appointment) -> dict[str, str]:
    token = appointment.manage_token
    return {
        "detail": absolute_url(reverse("scheduling:booking-detail", kwargs={"token": token})),
        "reschedule": absolute_url(
            reverse("scheduling:booking-reschedule", kwargs={"token": token})
        ),
        "cancel": absolute_url(reverse("scheduling:booking-cancel", kwargs={"token": token})),
        "ics": absolute_url(reverse("scheduling:booking-ics", kwargs={"token": token})),
    }


def appointment_rebook_link(*, appointment: Appointment) -> str:
    path = reverse("scheduling:book-service", kwargs={"slug": appointment.service.slug})
    if appointment.service.audience == Service.Audience.INVITED:
        # Bound to this appointment and good for one booking (selectors.invitations).
        path += "?invite=" + rebook_token(appointment=appointment)
    return absolute_url(path)


def _location(appointment: Appointment, firm_name: str) -> tuple[str, str]:
    """(LOCATION, URL) for the calendar entry."""
    service = appointment.service
    detail = service.location_detail
    if service.location_kind == LocationKind.VIDEO:
        return str(_("Video call")), detail if detail.startswith("https://") else ""
    if service.location_kind == LocationKind.PHONE:
        return (f"{_('Phone call')}: {detail}" if detail else str(_("Phone call"))), ""
    return detail or firm_name, ""


def appointment_ics(
    *, appointments: list[Appointment], method: str, language: str | None = None
) -> bytes:
    """An iCalendar file: METHOD REQUEST (book, change) or CANCEL, one VEVENT each, its
    labels in the booker's language (theirs by default)."""
    if method not in ("REQUEST", "CANCEL", "PUBLISH"):
        raise ValueError(method)
    if not appointments:
        return _appointment_ics(appointments=appointments, method=method)
    with translation.override(language or appointments[0].contact.language or None):
        return _appointment_ics(appointments=appointments, method=method)


def _appointment_ics(*, appointments: list[Appointment], method: str) -> bytes:
    firm = portal_selectors.firm_get()
    organizer_email = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">").strip()
    entries = []
    for appointment in appointments:
        location, url = _location(appointment, firm.name)
        cancelled = method == "CANCEL" or appointment.status in (
            Appointment.Status.CANCELLED,
            Appointment.Status.RESCHEDULED,
        )
        description = ""
        if not cancelled:
            links = appointment_manage_links(appointment=appointment)
            description = "\n".join(
                [
                    appointment_place(appointment).text,
                    appointment_terms(appointment),
                    f"{_('Reschedule')}: {links['reschedule']}",
                    f"{_('Cancel')}: {links['cancel']}",
                ]
            )
        entries.append(
            ics.Entry(
                uid=appointment.uid,
                sequence=appointment.sequence,
                start=appointment.start_at,
                end=appointment.end_at,
                summary=f"{appointment.service.name} · {firm.name}",
                location=location,
                url=url,
                status="CANCELLED" if cancelled else "CONFIRMED",
                description=description,
            )
        )
    return ics.render(
        entries,
        prodid="-//Atrium//Scheduling//EN",
        now=timezone.now(),
        method=method,
        organizer=ics.Organizer(organizer_email, firm.name),
    )


def staff_feed_ics(*, token: str) -> bytes:
    """A staff member's private feed: times, the service and the client's name only.

    Cancelled appointments stay in the window as STATUS:CANCELLED, so a subscribed calendar
    removes them instead of keeping a stale copy. A rescheduled row is never emitted: its
    replacement carries the same UID with a higher SEQUENCE, and a cancelled copy would
    cancel the new time in the subscriber's calendar. Held (unfinished) bookings stay out:
    a subscribed calendar would keep showing a time that may be released minutes later.
    """
    staff = portal_selectors.staff_get_by_calendar_token(token=token)
    if staff is None:
        raise Http404
    now = timezone.now()
    rows = list(
        Appointment.objects.select_related("service", "contact")
        .filter(
            staff=staff,
            status__in=(*BLOCKING_STATUSES, Appointment.Status.CANCELLED),
            start_at__gte=now - dt.timedelta(days=60),
            start_at__lte=now + dt.timedelta(days=400),
        )
        .exclude(status=Appointment.Status.HELD)
        .order_by("start_at")[:2000]
    )
    standing = {a.uid for a in rows if a.status != Appointment.Status.CANCELLED}
    entries = [
        ics.Entry(
            uid=a.uid,
            sequence=a.sequence,
            start=a.start_at,
            end=a.end_at,
            summary=f"{a.service.name}: {a.contact.full_name}",
            status="CANCELLED" if a.status == Appointment.Status.CANCELLED else "CONFIRMED",
        )
        for a in rows
        # One event per UID: a standing row wins over a cancelled one of the same UID.
        if a.status != Appointment.Status.CANCELLED or a.uid not in standing
    ]
    firm = portal_selectors.firm_get()
    return ics.render(
        entries,
        prodid="-//Atrium//Staff feed//EN",
        now=now,
        name=f"{firm.name} · {staff.get_full_name()}",
    )
